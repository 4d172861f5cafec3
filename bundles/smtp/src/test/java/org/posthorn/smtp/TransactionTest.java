package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.QueueException;

/** MAIL, RCPT, DATA and BDAT on the MX listener: what is accepted, what is kept, and every refusal. */
class TransactionTest {

    @TempDir
    Path folder;
    private TestServer server;
    private SmtpClient client;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(folder, Map.of("max_message_size", 10_000L, "max_recipients", 3));
        client = SmtpClient.connect(server.mx());
        client.ehlo("client.example");
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    private void envelope(String from, String... to) throws Exception {
        assertThat(client.command("MAIL FROM:<" + from + ">")).isEqualTo("250 2.1.0 Ok");
        for (String recipient : to) {
            assertThat(client.command("RCPT TO:<" + recipient + ">")).isEqualTo("250 2.1.5 Ok");
        }
    }

    @Test
    void messageIsQueuedOnceWithTheReceivedHeaderFirstAndDotStuffingUndone() throws Exception {
        envelope("sender@example.com", "alice@example.org", "bob@example.org");
        assertThat(client.command("DATA")).isEqualTo("354 End data with <CR><LF>.<CR><LF>");
        client.send("From: sender@example.com\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\n..dot\r\nend\r\n.\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");

        TestQueue.Queued queued = server.queue.only();
        String text = queued.text();
        assertThat(text).startsWith("Received: from client.example (unknown [127.0.0.1])\r\n\tby mx.example.org (Posthorn) with ESMTP id smtp-");
        assertThat(text.lines().filter(l -> l.startsWith("Received:"))).hasSize(1);
        assertThat(text).endsWith("\r\n\r\nFrom: sender@example.com\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\n.dot\r\nend\r\n"
                .substring(4));
        assertThat(text).doesNotContain("Bcc:").doesNotContain("Return-Path:");
        Envelope envelope = queued.envelope();
        assertThat(envelope.sender()).hasToString("sender@example.com");
        assertThat(envelope.recipients()).extracting(r -> r.address().toString())
                .containsExactly("alice@example.org", "bob@example.org");
        assertThat(envelope.origin().protocol()).isEqualTo("ESMTP");
        assertThat(envelope.origin().heloName()).isEqualTo("client.example");
        assertThat(envelope.origin().listener()).isEqualTo("mx");
        assertThat(envelope.bodyType()).isEqualTo(BodyType.SEVEN_BIT);
    }

    @Test
    void relayIsDeniedAndUnknownUsersRejectedButBarePostmasterAccepted() throws Exception {
        assertThat(client.command("MAIL FROM:<>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<someone@elsewhere.example>"))
                .isEqualTo("554 5.7.1 <someone@elsewhere.example>: Relay access denied");
        assertThat(client.command("RCPT TO:<nobody@example.org>"))
                .isEqualTo("550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown");
        assertThat(client.command("RCPT TO:<Postmaster>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("RCPT TO:<sales@example.org>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("RSET")).isEqualTo("250 2.0.0 Ok");
        assertThat(client.command("DATA")).isEqualTo("503 5.5.1 Need MAIL command first");
    }

    @Test
    void unknownUsersCanBeAcceptedByConfiguration() throws Exception {
        server.reconfigure(Map.of("reject_unknown_recipients", false));
        envelope("sender@example.com", "nobody@example.org");
    }

    @Test
    void tooManyRecipientsGet452AndDuplicatesAreKeptOnce() throws Exception {
        envelope("sender@example.com", "alice@example.org", "bob@example.org", "alice@example.org", "sales@example.org");
        assertThat(client.command("RCPT TO:<postmaster@example.org>")).isEqualTo("452 4.5.3 Too many recipients");
        assertThat(client.command("DATA")).startsWith("354");
        assertThat(client.command("Subject: many\r\n\r\nx\r\n.")).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(server.queue.only().envelope().recipients()).hasSize(3);
    }

    @Test
    void dataWithoutAnyAcceptedRecipientIsRefused() throws Exception {
        assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<nobody@example.org>")).startsWith("550 5.1.1");
        assertThat(client.command("DATA")).isEqualTo("554 5.5.1 No valid recipients");
    }

    @Test
    void badAddressesAndParametersGetClearReplies() throws Exception {
        assertThat(client.command("MAIL FROM:sender@example.com")).isEqualTo(
                "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]: the address must be in angle brackets: FROM:<address>");
        assertThat(client.command("MAIL FROM:<sender@@example.com>"))
                .startsWith("553 5.1.7 Bad sender address syntax: ");
        assertThat(client.command("MAIL FROM:<sender@example.com> FROB=1")).isEqualTo("555 5.5.4 Unsupported parameter FROB");
        assertThat(client.command("MAIL FROM:<jörg@example.org>")).isEqualTo("553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter");
        assertThat(client.command("MAIL FROM:<sender@example.com> BODY=9BIT")).isEqualTo("501 5.5.4 BODY must be 7BIT, 8BITMIME or BINARYMIME");
        assertThat(client.command("MAIL FROM:<@relay.example:sender@example.com>")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("503 5.5.1 Nested MAIL command");
        assertThat(client.command("RCPT TO:<alice at example.org>")).startsWith("501 5.1.3 Bad recipient address syntax: ");
        assertThat(client.command("RCPT TO:<alice@example.org> NOTIFY=NEVER,SUCCESS"))
                .isEqualTo("501 5.5.4 NOTIFY must be NEVER, or SUCCESS, FAILURE and DELAY separated by commas");
        assertThat(client.command("RCPT TO:<alice@example.org> ORCPT=rfc822;bad+zz")).isEqualTo("501 5.5.4 ORCPT must be addr-type;xtext");
    }

    @Test
    void declaredSizeAboveTheLimitIsRefusedAtMail() throws Exception {
        assertThat(client.command("MAIL FROM:<sender@example.com> SIZE=10001"))
                .isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size of 10000 bytes");
        assertThat(client.command("MAIL FROM:<sender@example.com> SIZE=10000")).isEqualTo("250 2.1.0 Ok");
    }

    @Test
    void messageGrowingPastTheLimitIsRefusedAfterItsEndAndNothingIsKept() throws Exception {
        envelope("sender@example.com", "alice@example.org");
        assertThat(client.command("DATA")).startsWith("354");
        String line = "x".repeat(98) + "\r\n";
        client.send("Subject: big\r\n\r\n" + line.repeat(500) + ".\r\nNOOP\r\n");
        assertThat(client.reply()).isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size of 10000 bytes");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(server.queue.messages).isEmpty();
        assertThat(server.queue.spooledFiles()).isZero();
        // the session goes on: a new transaction works
        envelope("sender@example.com", "alice@example.org");
        assertThat(client.command("DATA")).startsWith("354");
        assertThat(client.command("Subject: small\r\n\r\nok\r\n.")).isEqualTo("250 2.0.0 Ok: queued as Q2");
    }

    @Test
    void smugglingSequencesEndNothingAndBareLineEndingsFailTheMessage() throws Exception {
        envelope("sender@example.com", "alice@example.org");
        assertThat(client.command("DATA")).startsWith("354");
        // a server that ended data at "\n.\n", "\r.\r" or "\r\n.\n" would run the smuggled MAIL commands
        client.send("Subject: smuggle\r\n\r\nhi\n.\nMAIL FROM:<evil@example.com>\r\n"
                + "x\r.\rMAIL FROM:<evil@example.com>\r\n"
                + "y\r\n.\nMAIL FROM:<evil@example.com>\r\n.\r\nNOOP\r\n");
        assertThat(client.reply()).isEqualTo("550 5.6.0 Message contains a bare LF; lines must end with CR LF (RFC 5321 §2.3.8)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(server.queue.messages).isEmpty();
        assertThat(server.queue.spooledFiles()).isZero();
        assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1 Need MAIL command first");
    }

    @Test
    void bareLineEndingsCanBeNormalizedInsteadAndStillEndNothing() throws Exception {
        server.reconfigure(Map.of("max_message_size", 10_000L, "bare_line_endings", "normalize"));
        envelope("sender@example.com", "alice@example.org");
        assertThat(client.command("DATA")).startsWith("354");
        client.send("Subject: smuggle\r\n\r\nhi\n.\nMAIL FROM:<evil@example.com>\r\nx\r.\ry\r\n.\nz\r\n.\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(server.queue.only().text()).endsWith(
                // the dot of ".\n" after CR LF is taken as dot-stuffing (RFC 5321 §4.5.2)
                "Subject: smuggle\r\n\r\nhi\r\n.\r\nMAIL FROM:<evil@example.com>\r\nx\r\n.\r\ny\r\n\r\nz\r\n");
        assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1 Need MAIL command first");
    }

    @Test
    void dsnParametersAreKeptOnTheEnvelopeXtextDecoded() throws Exception {
        assertThat(client.command("MAIL FROM:<sender@example.com> RET=HDRS ENVID=QQ+2B314 BODY=8BITMIME SIZE=100"))
                .isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<alice@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice+2Bx@example.org"))
                .isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("RCPT TO:<bob@example.org> NOTIFY=NEVER")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("DATA")).startsWith("354");
        client.send("Subject: caf\u00e9\r\n\r\n8bit \u00e9\r\n.\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        Envelope envelope = server.queue.only().envelope();
        assertThat(envelope.ret()).isEqualTo(DsnReturn.HEADERS);
        assertThat(envelope.envelopeId()).isEqualTo("QQ+314");
        assertThat(envelope.bodyType()).isEqualTo(BodyType.EIGHT_BIT_MIME);
        assertThat(envelope.recipients()).containsExactly(
                new Recipient(envelope.recipients().get(0).address(), Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE),
                        "rfc822;alice+x@example.org"),
                new Recipient(envelope.recipients().get(1).address(), Set.of(DsnNotify.NEVER), null));
        assertThat(server.queue.only().text()).endsWith("8bit \u00e9\r\n");
    }

    @Test
    void utf8AddressesNeedSmtpUtf8AndAreMarkedSo() throws Exception {
        assertThat(client.command("MAIL FROM:<jörg@example.org> SMTPUTF8")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<jörg@example.org>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("DATA")).startsWith("354");
        assertThat(client.command("Subject: utf8\r\n\r\nhej\r\n.")).isEqualTo("250 2.0.0 Ok: queued as Q1");
        Envelope envelope = server.queue.only().envelope();
        assertThat(envelope.smtpUtf8()).isTrue();
        assertThat(envelope.sender().localPart()).isEqualTo("jörg");
        assertThat(envelope.origin().protocol()).isEqualTo("UTF8SMTP");
        assertThat(server.queue.only().text()).contains("with UTF8SMTP id");
    }

    @Test
    void chunksAreStreamedAsOneMessageWithBinaryAccepted() throws Exception {
        assertThat(client.command("MAIL FROM:<sender@example.com> BODY=BINARYMIME")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("MAIL FROM:<x@example.com>")).isEqualTo("503 5.5.1 Nested MAIL command");
        client.send("BDAT 19\r\nSubject: chunks\r\n\r\nNOOP\r\nBDAT 5\r\n\0\1\n\r.BDAT 0 LAST\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 19 octets received (19 in total)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(client.reply()).isEqualTo("250 2.0.0 5 octets received (24 in total)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(server.queue.only().text()).endsWith("Subject: chunks\r\n\r\n\0\1\n\r.");
    }

    @Test
    void bareLineEndingsInChunksFailTheMessageAfterItsLastChunk() throws Exception {
        envelope("sender@example.com", "alice@example.org");
        String first = "Subject: smuggle\r\n\r\nhi\n.\nMAIL FROM:<evil@example.com>\r\n";
        client.send("BDAT " + first.length() + "\r\n" + first + "BDAT 6 LAST\r\nend\r\n.NOOP\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 " + first.length() + " octets received (" + first.length() + " in total)");
        assertThat(client.reply()).isEqualTo("550 5.6.0 Message contains a bare LF; lines must end with CR LF (RFC 5321 §2.3.8)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(server.queue.spooledFiles()).isZero();
        assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1 Need MAIL command first");

        envelope("sender@example.com", "alice@example.org");
        client.send("BDAT 12 LAST\r\nSubject: x\r\r");
        assertThat(client.reply()).isEqualTo("550 5.6.0 Message contains a bare CR; lines must end with CR LF (RFC 5321 §2.3.8)");
        assertThat(server.queue.spooledFiles()).isZero();
    }

    @Test
    void aCrLfSplitAcrossTwoChunksIsOneLineEnding() throws Exception {
        envelope("sender@example.com", "alice@example.org");
        client.send("BDAT 11\r\nSubject: x\rBDAT 7 LAST\r\n\n\r\nbody");
        assertThat(client.reply()).isEqualTo("250 2.0.0 11 octets received (11 in total)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(server.queue.only().text()).endsWith("\r\nSubject: x\r\n\r\nbody");
    }

    @Test
    void bareLineEndingsInChunksCanBeNormalizedAcrossChunks() throws Exception {
        server.reconfigure(Map.of("bare_line_endings", "normalize"));
        envelope("sender@example.com", "alice@example.org");
        client.send("BDAT 11\r\nSubject: x\rBDAT 10 LAST\r\n\n\nhi\r.\nend");
        assertThat(client.reply()).isEqualTo("250 2.0.0 11 octets received (11 in total)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(server.queue.only().text()).endsWith("\r\nSubject: x\r\n\r\nhi\r\n.\r\nend");
    }

    @Test
    void binaryMimeNeedsBdatAndChunksOutsideATransactionAreSkipped() throws Exception {
        assertThat(client.command("MAIL FROM:<sender@example.com> BODY=BINARYMIME")).isEqualTo("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("DATA")).isEqualTo("503 5.5.1 BODY=BINARYMIME needs BDAT, not DATA");
        client.send("BDAT 4 LAST\r\nab\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(server.queue.only().envelope().bodyType()).isEqualTo(BodyType.BINARY_MIME);
        // the chunk is read and dropped, so "QUIT" inside it is no command
        client.send("BDAT 6\r\nQUIT\r\nNOOP\r\n");
        assertThat(client.reply()).isEqualTo("503 5.5.1 Need MAIL command first");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(client.command("BDAT many")).isEqualTo("501 5.5.4 Syntax: BDAT chunk-size [LAST]");
    }

    @Test
    void chunkedMessageOverTheLimitIsRefusedAndLaterChunksSkipped() throws Exception {
        envelope("sender@example.com", "alice@example.org");
        client.send("BDAT 6000\r\n" + "y".repeat(6000) + "BDAT 6000\r\n" + "z".repeat(6000)
                + "BDAT 12 LAST\r\nQUIT\r\nQUIT\r\nNOOP\r\n");
        assertThat(client.reply()).isEqualTo("250 2.0.0 6000 octets received (6000 in total)");
        assertThat(client.reply()).isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size of 10000 bytes");
        assertThat(client.reply()).isEqualTo("503 5.5.1 Need MAIL command first");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(server.queue.spooledFiles()).isZero();
    }

    @Test
    void anotherCommandInsideAChunkedTransactionAbandonsIt() throws Exception {
        envelope("sender@example.com", "alice@example.org");
        client.send("BDAT 3\r\nabcRSET\r\nBDAT 2 LAST\r\nxy");
        assertThat(client.reply()).isEqualTo("250 2.0.0 3 octets received (3 in total)");
        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
        assertThat(client.reply()).isEqualTo("503 5.5.1 Need MAIL command first");
        assertThat(server.queue.spooledFiles()).isZero();
    }

    @Test
    void queueFailureIsATemporaryErrorAndNothingIsKept() throws Exception {
        server.queue.failure.set(new QueueException("disk full", true, null));
        envelope("sender@example.com", "alice@example.org");
        assertThat(client.command("DATA")).startsWith("354");
        assertThat(client.command("Subject: x\r\n\r\ny\r\n.")).isEqualTo("451 4.3.0 Could not queue the message; try again later");
        server.queue.failure.set(new QueueException("refused", false, null));
        envelope("sender@example.com", "alice@example.org");
        assertThat(client.command("DATA")).startsWith("354");
        assertThat(client.command("Subject: x\r\n\r\ny\r\n.")).isEqualTo("554 5.3.0 Message could not be stored");
        assertThat(server.queue.spooledFiles()).isZero();
    }
}
