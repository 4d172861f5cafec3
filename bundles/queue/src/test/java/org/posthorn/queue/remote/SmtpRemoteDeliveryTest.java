package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.posthorn.queue.remote.TestMail.SIMPLE;
import static org.posthorn.queue.remote.TestMail.envelope;
import static org.posthorn.queue.remote.TestMail.message;
import static org.posthorn.queue.remote.TestMail.rcpts;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.queue.remote.RecipientOutcome.Status;
import org.posthorn.queue.testing.SmtpSink;

class SmtpRemoteDeliveryTest extends SinkTestSupport {

    private SmtpRemoteDelivery delivery(Object... overrides) {
        return delivery(null, overrides);
    }

    /** two.test has mx1.two.test (preference 10) and mx2.two.test (20), both the sink. */
    private void twoMxHosts() {
        dns.mx("two.test", 10, "mx1.two.test").mx("two.test", 20, "mx2.two.test")
                .address("mx1.two.test", "127.0.0.1").address("mx2.two.test", "127.0.0.1");
    }

    private List<RecipientOutcome> send(List<Recipient> recipients) {
        return delivery.deliver("example.test", envelope(recipients), recipients, SIMPLE);
    }

    @Test
    void deliversToTheMostPreferredMxAndReportsWhoAnswered() {
        dns.mx("pref.test", 20, "backup.pref.test").mx("pref.test", 5, "primary.pref.test")
                .address("backup.pref.test", "127.0.0.1").address("primary.pref.test", "127.0.0.1");
        delivery();

        List<Recipient> to = rcpts("alice@pref.test");
        List<RecipientOutcome> outcomes = delivery.deliver("pref.test", envelope(to), to, SIMPLE);

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DELIVERED);
            assertThat(o.replyCode()).isEqualTo(250);
            assertThat(o.enhancedCode()).isEqualTo("2.0.0");
            assertThat(o.remoteHost()).isEqualTo("primary.pref.test[127.0.0.1]");
        });
        assertThat(sink.received()).singleElement().satisfies(r -> {
            assertThat(r.mailFrom()).startsWith("<sender@origin.test>");
            assertThat(r.rcptTo()).containsExactly("<alice@pref.test>");
            assertThat(new String(r.data(), StandardCharsets.US_ASCII)).isEqualTo("Subject: test\r\n\r\nHello.\r\n");
        });
        // QUIT goes out as the connection closes; the sink reads it a moment later.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sink.commands()).contains("EHLO posthorn.test").last().isEqualTo("QUIT"));
    }

    @Test
    void aTemporaryGreetingSendsTheMailToTheNextMx() {
        twoMxHosts();
        sink.script.greeting = n -> n == 1 ? "421 4.3.2 too busy" : "220 sink.test ESMTP";
        delivery();

        List<Recipient> to = rcpts("bob@two.test");
        List<RecipientOutcome> outcomes = delivery.deliver("two.test", envelope(to), to, SIMPLE);

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DELIVERED);
            assertThat(o.remoteHost()).isEqualTo("mx2.two.test[127.0.0.1]");
        });
        assertThat(sink.connections()).isEqualTo(2);
    }

    @Test
    void aDroppedConnectionSendsTheMailToTheNextMx() {
        twoMxHosts();
        sink.script.greeting = n -> n == 1 ? "" : "220 sink.test ESMTP";
        delivery();

        List<Recipient> to = rcpts("bob@two.test");
        assertThat(delivery.deliver("two.test", envelope(to), to, SIMPLE)).singleElement()
                .satisfies(o -> assertThat(o.remoteHost()).isEqualTo("mx2.two.test[127.0.0.1]"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
    }

    @Test
    void theFirstDefinitiveAnswerEndsTheSearch() {
        twoMxHosts();
        sink.script.rcptReplies.put("nobody@two.test", "550 5.1.1 no such user");
        delivery();

        List<Recipient> to = rcpts("nobody@two.test");
        assertThat(delivery.deliver("two.test", envelope(to), to, SIMPLE)).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.FAILED);
            assertThat(o.replyCode()).isEqualTo(550);
            assertThat(o.enhancedCode()).isEqualTo("5.1.1");
            assertThat(o.diagnostic()).isEqualTo("no such user");
            assertThat(o.remoteHost()).isEqualTo("mx1.two.test[127.0.0.1]");
        });
        assertThat(sink.connections()).isEqualTo(1);
    }

    @Test
    void whenEveryHostRefusesTheMailIsDeferred() {
        sink.script.greeting = n -> "421 busy";
        delivery();

        assertThat(send(rcpts("a@example.test"))).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DEFERRED);
            assertThat(o.replyCode()).isEqualTo(421);
            assertThat(o.enhancedCode()).startsWith("4.");
        });
    }

    @Test
    void aDomainWithoutMxIsItsOwnMailExchanger() {
        dns.address("implicit.test", "127.0.0.1");
        delivery();

        List<Recipient> to = rcpts("x@implicit.test");
        assertThat(delivery.deliver("implicit.test", envelope(to), to, SIMPLE)).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DELIVERED);
            assertThat(o.remoteHost()).isEqualTo("implicit.test[127.0.0.1]");
        });
    }

    @Test
    void nullMxFailsAtOnce() {
        dns.mx("nomail.test", 0, ".");
        delivery();

        List<Recipient> to = rcpts("x@nomail.test");
        assertThat(delivery.deliver("nomail.test", envelope(to), to, SIMPLE)).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.FAILED);
            assertThat(o.enhancedCode()).isEqualTo("5.1.10");
            assertThat(o.remoteHost()).isNull();
        });
        assertThat(sink.connections()).isZero();
    }

    @Test
    void aDomainThatDoesNotExistFails() {
        delivery();

        List<Recipient> to = rcpts("x@missing.test");
        assertThat(delivery.deliver("missing.test", envelope(to), to, SIMPLE)).singleElement()
                .satisfies(o -> assertThat(o.enhancedCode()).isEqualTo("5.1.2"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.FAILED);
    }

    @Test
    void aDnsFailureDefers() {
        dns.failing("flaky.test", DnsLookupException.Kind.TEMPORARY);
        delivery();

        List<Recipient> to = rcpts("x@flaky.test");
        assertThat(delivery.deliver("flaky.test", envelope(to), to, SIMPLE)).singleElement()
                .satisfies(o -> assertThat(o.enhancedCode()).isEqualTo("4.4.3"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.DEFERRED);
    }

    @Test
    void anAddressLiteralGoesToThatAddressWithoutDns() {
        delivery();

        List<Recipient> to = rcpts("x@[127.0.0.1]");
        assertThat(delivery.deliver("[127.0.0.1]", envelope(to), to, SIMPLE)).singleElement()
                .satisfies(o -> assertThat(o.remoteHost()).isEqualTo("[127.0.0.1]"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(dns.lookups()).isZero();
    }

    @Test
    void anMxThatIsUsLoopsBackAndFails() {
        dns.mx("loop.test", 10, "mail.loop.test").address("mail.loop.test", "127.0.0.1");
        delivery("local.hosts", "127.0.0.1");

        List<Recipient> to = rcpts("x@loop.test");
        assertThat(delivery.deliver("loop.test", envelope(to), to, SIMPLE)).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.FAILED);
            assertThat(o.enhancedCode()).isEqualTo("5.4.6");
            assertThat(o.diagnostic()).contains("loops back to myself");
        });
        assertThat(sink.connections()).isZero();
    }

    @Test
    void whenWeAreABackupMxOnlyMorePreferredHostsAreTried() {
        dns.mx("backup.test", 10, "primary.backup.test").mx("backup.test", 20, TestMail.HELO)
                .address("primary.backup.test", "127.0.0.1");
        sink.script.greeting = n -> "421 down";
        delivery();

        List<Recipient> to = rcpts("x@backup.test");
        assertThat(delivery.deliver("backup.test", envelope(to), to, SIMPLE)).singleElement()
                .satisfies(o -> assertThat(o.remoteHost()).isEqualTo("primary.backup.test[127.0.0.1]"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.DEFERRED);
        assertThat(sink.connections()).isEqualTo(1);
    }

    @Test
    void aServerGreetingWithOurNameIsUs() {
        sink.script.greeting = n -> "220 " + TestMail.HELO + " ESMTP";
        delivery();

        assertThat(send(rcpts("a@example.test"))).singleElement()
                .satisfies(o -> assertThat(o.enhancedCode()).isEqualTo("5.4.6"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.FAILED);
        assertThat(sink.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void pipelinedRepliesAreMatchedToTheirRecipientsInOrder() {
        sink.script.rcptReplies.put("later@example.test", "452 4.2.2 mailbox full");
        sink.script.rcptReplies.put("gone@example.test", "550 5.1.1 gone");
        delivery();

        List<RecipientOutcome> outcomes = send(rcpts("ok@example.test", "later@example.test", "gone@example.test"));

        assertThat(outcomes).extracting(RecipientOutcome::status)
                .containsExactly(Status.DELIVERED, Status.DEFERRED, Status.FAILED);
        assertThat(outcomes).extracting(RecipientOutcome::enhancedCode).containsExactly("2.0.0", "4.2.2", "5.1.1");
        assertThat(sink.batches()).singleElement().satisfies(batch -> assertThat(batch)
                .hasSize(5).first().asString().startsWith("MAIL FROM:<sender@origin.test>"));
        assertThat(sink.batches().get(0).subList(1, 5)).containsExactly("RCPT TO:<ok@example.test>",
                "RCPT TO:<later@example.test>", "RCPT TO:<gone@example.test>", "DATA");
        assertThat(sink.received()).singleElement()
                .satisfies(r -> assertThat(r.rcptTo()).containsExactly("<ok@example.test>"));
    }

    @Test
    void withoutPipeliningEachCommandWaitsForItsReply() {
        sink.script.extensions = List.of("8BITMIME");
        sink.script.rcptReplies.put("gone@example.test", "550 5.1.1 gone");
        delivery();

        List<RecipientOutcome> outcomes = send(rcpts("ok@example.test", "gone@example.test"));

        assertThat(outcomes).extracting(RecipientOutcome::status).containsExactly(Status.DELIVERED, Status.FAILED);
        assertThat(sink.batches()).isEmpty();
        assertThat(sink.received()).hasSize(1);
    }

    @Test
    void whenNoRecipientIsAcceptedNoMessageIsSent() {
        sink.script.extensions = List.of();
        sink.script.rcptReplies.put("a@example.test", "550 5.1.1 unknown");
        sink.script.rcptReplies.put("b@example.test", "450 4.2.1 try later");
        delivery();

        assertThat(send(rcpts("a@example.test", "b@example.test"))).extracting(RecipientOutcome::status)
                .containsExactly(Status.FAILED, Status.DEFERRED);
        assertThat(sink.commands()).noneMatch(c -> c.equals("DATA"));
    }

    @Test
    void aServerClosingMidTransactionSendsTheMailToTheNextMx() {
        twoMxHosts();
        sink.script.extensions = List.of();
        sink.script.mailReply = "421 4.3.2 shutting down";
        delivery();

        List<Recipient> to = rcpts("bob@two.test");
        assertThat(delivery.deliver("two.test", envelope(to), to, SIMPLE)).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DEFERRED);
            assertThat(o.replyCode()).isEqualTo(421);
            assertThat(o.remoteHost()).isEqualTo("mx2.two.test[127.0.0.1]");
        });
        assertThat(sink.connections()).isEqualTo(2);
    }

    @Test
    void aRejectedDataCommandFailsTheAcceptedRecipients() {
        sink.script.dataReply = "554 5.7.1 not today";
        sink.script.rcptReplies.put("later@example.test", "451 4.3.0 later");
        delivery();

        List<RecipientOutcome> outcomes = send(rcpts("ok@example.test", "later@example.test"));

        assertThat(outcomes).extracting(RecipientOutcome::status).containsExactly(Status.FAILED, Status.DEFERRED);
        assertThat(outcomes.get(0).enhancedCode()).isEqualTo("5.7.1");
        assertThat(outcomes.get(0).diagnostic()).isEqualTo("not today");
    }

    @Test
    void aTemporaryReplyAfterTheMessageDefersEveryAcceptedRecipient() {
        sink.script.endReply = "451 4.3.0 local error";
        delivery();

        assertThat(send(rcpts("a@example.test", "b@example.test"))).extracting(RecipientOutcome::status)
                .containsExactly(Status.DEFERRED, Status.DEFERRED);
    }

    @Test
    void aRejectedSenderFailsEveryRecipient() {
        sink.script.mailReply = "553 sender not allowed";
        delivery();

        assertThat(send(rcpts("a@example.test", "b@example.test"))).allSatisfy(o -> {
            assertThat(o.status()).isEqualTo(Status.FAILED);
            assertThat(o.enhancedCode()).isEqualTo("5.1.3");
        });
    }

    @Test
    void aMessageOverTheServersSizeLimitFailsWithoutBeingSent() {
        sink.script.extensions = List.of("SIZE 10");
        delivery();

        assertThat(send(rcpts("a@example.test"))).singleElement()
                .satisfies(o -> assertThat(o.enhancedCode()).isEqualTo("5.3.4"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.FAILED);
        assertThat(sink.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void theSizeIsDeclaredInMailFrom() {
        sink.script.extensions = List.of("SIZE 1000000");
        delivery();

        send(rcpts("a@example.test"));

        assertThat(sink.commands()).contains("MAIL FROM:<sender@origin.test> SIZE=" + SIMPLE.size());
    }

    @Test
    void anInternationalAddressNeedsSmtpUtf8() {
        sink.script.extensions = List.of("8BITMIME");
        delivery();

        List<Recipient> to = rcpts("jürgen@example.test");
        Envelope envelope = envelope(to, BodyType.EIGHT_BIT_MIME, true);
        assertThat(delivery.deliver("example.test", envelope, to, SIMPLE)).singleElement()
                .satisfies(o -> assertThat(o.enhancedCode()).isEqualTo("5.6.7"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.FAILED);
        assertThat(sink.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void smtpUtf8IsUsedWhenOffered() {
        delivery();

        List<Recipient> to = rcpts("jürgen@example.test");
        Envelope envelope = envelope(to, BodyType.EIGHT_BIT_MIME, true);
        assertThat(delivery.deliver("example.test", envelope, to, message("Subject: Grüße\r\n\r\nHallo\r\n")))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> {
            assertThat(r.mailFrom()).contains("BODY=8BITMIME").contains("SMTPUTF8");
            assertThat(r.rcptTo()).containsExactly("<jürgen@example.test>");
        });
    }

    @Test
    void aMessageFlaggedSmtpUtf8ButPlainAsciiGoesWithoutIt() {
        sink.script.extensions = List.of("8BITMIME");
        delivery();

        List<Recipient> to = rcpts("a@example.test");
        assertThat(delivery.deliver("example.test", envelope(to, BodyType.SEVEN_BIT, true), to, SIMPLE))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
    }

    @Test
    void eightBitContentFailsAtAServerWithout8BitMime() {
        sink.script.extensions = List.of();
        delivery();

        List<Recipient> to = rcpts("a@example.test");
        MessageSource eightBit = message("Subject: x\r\n\r\nGrüße\r\n");
        assertThat(delivery.deliver("example.test", envelope(to, BodyType.EIGHT_BIT_MIME, false), to, eightBit))
                .singleElement().satisfies(o -> assertThat(o.enhancedCode()).isEqualTo("5.6.3"))
                .extracting(RecipientOutcome::status).isEqualTo(Status.FAILED);
    }

    @Test
    void aMessageDeclared8BitThatIs7BitGoesToAServerWithout8BitMime() {
        sink.script.extensions = List.of();
        delivery();

        List<Recipient> to = rcpts("a@example.test");
        assertThat(delivery.deliver("example.test", envelope(to, BodyType.EIGHT_BIT_MIME, false), to, SIMPLE))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.mailFrom()).doesNotContain("BODY"));
    }

    @Test
    void binaryContentCannotGoWithoutChunking() {
        delivery();

        List<Recipient> to = rcpts("a@example.test");
        MessageSource longLine = message("Subject: x\r\n\r\n" + "y".repeat(1200) + "\r\n");
        assertThat(delivery.deliver("example.test", envelope(to, BodyType.BINARY_MIME, false), to, longLine))
                .singleElement().extracting(RecipientOutcome::status, RecipientOutcome::enhancedCode)
                .containsExactly(Status.FAILED, "5.6.3");
        assertThat(delivery.deliver("example.test", envelope(to, BodyType.BINARY_MIME, false), to, SIMPLE))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.mailFrom()).contains("BODY=8BITMIME"));
    }

    @Test
    void dsnParametersArePassedOnWhenTheServerOffersDsn() {
        delivery();

        Recipient r = new Recipient(MailAddress.parse("a@example.test"), Set.of(DsnNotify.FAILURE, DsnNotify.SUCCESS),
                "rfc822;A+B=C@example.test");
        Envelope envelope = new Envelope(MailAddress.parse("sender@origin.test"), List.of(r), DsnReturn.HEADERS,
                "id 42", BodyType.SEVEN_BIT, false, Origin.local("test", java.time.Instant.EPOCH));
        delivery.deliver("example.test", envelope, List.of(r), SIMPLE);

        assertThat(sink.commands()).contains("MAIL FROM:<sender@origin.test> SIZE=" + SIMPLE.size() + " RET=HDRS ENVID=id+2042",
                "RCPT TO:<a@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;A+2BB+3DC@example.test");
    }

    @Test
    void noDsnParametersGoToAServerWithoutDsn() {
        sink.script.extensions = List.of("PIPELINING");
        delivery();

        Recipient r = new Recipient(MailAddress.parse("a@example.test"), Set.of(DsnNotify.NEVER), "rfc822;a@example.test");
        Envelope envelope = new Envelope(null, List.of(r), DsnReturn.FULL, "id", BodyType.SEVEN_BIT, false,
                Origin.local("test", java.time.Instant.EPOCH));
        delivery.deliver("example.test", envelope, List.of(r), SIMPLE);

        assertThat(sink.commands()).contains("MAIL FROM:<>", "RCPT TO:<a@example.test>");
    }

    @Test
    void linesAreDotStuffedAndEveryLineEndingBecomesCrlf() {
        delivery();

        send(rcpts("a@example.test"));
        delivery.deliver("example.test", envelope(rcpts("a@example.test")), rcpts("a@example.test"),
                message("Subject: dots\n\n.one\r\n..two\nbare lf\rbare cr\r\n.\r\nno newline at end"));

        assertThat(new String(sink.received().get(1).data(), StandardCharsets.US_ASCII))
                .isEqualTo("Subject: dots\r\n\r\n..one\r\n...two\r\nbare lf\r\nbare cr\r\n..\r\nno newline at end\r\n");
    }

    @Test
    void aLargeMessageIsStreamedUnchanged() throws Exception {
        GeneratedMessage large = new GeneratedMessage(20L << 20);
        delivery();

        List<Recipient> to = rcpts("a@example.test");
        assertThat(delivery.deliver("example.test", envelope(to), to, large)).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);

        assertThat(sink.received()).singleElement().satisfies(r -> {
            assertThat(r.size()).isEqualTo(large.size());
            assertThat(r.sha256()).isEqualTo(large.sha256());
        });
    }

    @Test
    void ehloNotUnderstoodFallsBackToHelo() {
        sink.script.ehlo = false;
        delivery();

        assertThat(send(rcpts("a@example.test"))).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.commands()).contains("HELO posthorn.test", "MAIL FROM:<sender@origin.test>");
    }

    @Test
    void twoMessagesToOneHostShareOneConnection() {
        delivery("idle.keep", "1m");

        assertThat(send(rcpts("a@example.test"))).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(send(rcpts("b@example.test"))).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);

        assertThat(sink.connections()).isEqualTo(1);
        assertThat(sink.received()).extracting(SmtpSink.Received::connection).containsExactly(1, 1);
        assertThat(sink.commands()).containsOnlyOnce("EHLO posthorn.test").contains("RSET");
    }

    @Test
    void manyRecipientsGoInTransactionsOfAHundredOverOneConnection() {
        delivery("idle.keep", "1m");
        String[] addresses = new String[150];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = "user" + i + "@example.test";
        }

        List<RecipientOutcome> outcomes = send(rcpts(addresses));

        assertThat(outcomes).hasSize(150).allMatch(o -> o.status() == Status.DELIVERED);
        assertThat(outcomes.get(149).recipient().address().localPart()).isEqualTo("user149");
        assertThat(sink.received()).extracting(r -> r.rcptTo().size()).containsExactly(100, 50);
        assertThat(sink.connections()).isEqualTo(1);
    }

    @Test
    void aKeptConnectionTheServerClosedIsReplacedByANewOne() throws Exception {
        delivery("idle.keep", "1m");
        send(rcpts("a@example.test"));

        sink.dropConnections();

        assertThat(send(rcpts("b@example.test"))).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.connections()).isEqualTo(2);
    }

    @Test
    void aCallerOverTheDomainLimitIsDeferredAfterWaiting() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        sink.script.endGate = gate;
        delivery("max.connections.per.domain", 1, "connection.wait", "200ms");

        CompletableFuture<List<RecipientOutcome>> first =
                CompletableFuture.supplyAsync(() -> send(rcpts("first@example.test")));
        assertThat(sink.awaitData(10)).isTrue();

        List<RecipientOutcome> second = send(rcpts("second@example.test"));
        gate.countDown();

        assertThat(second).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DEFERRED);
            assertThat(o.enhancedCode()).isEqualTo("4.4.5");
        });
        assertThat(first.get(10, TimeUnit.SECONDS)).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
    }

    @Test
    void aServerThatNeverGreetsIsTimedOut() {
        sink.script.greeting = n -> null;
        delivery("greeting.timeout", "300ms");

        assertThat(send(rcpts("a@example.test"))).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DEFERRED);
            assertThat(o.diagnostic()).contains("timed out");
        });
    }

    @Test
    void aServerThatStopsReadingTheMessageIsTimedOut() {
        sink.script.stallInData = true;
        sink.script.extensions = List.of("PIPELINING");
        delivery("data.block.timeout", "300ms");

        List<Recipient> to = rcpts("a@example.test");
        assertThat(delivery.deliver("example.test", envelope(to), to, new GeneratedMessage(64L << 20)))
                .singleElement().satisfies(o -> {
                    assertThat(o.status()).isEqualTo(Status.DEFERRED);
                    assertThat(o.diagnostic()).contains("timed out");
                });
        assertThat(sink.received()).isEmpty();
    }

    @Test
    void noReplyAfterTheMessageDefersWithoutTryingAnotherHost() {
        dns.mx("example.test", 20, "mx2.example.test").address("mx2.example.test", "127.0.0.1");
        sink.script.stallAtEnd = true;
        delivery("data.end.timeout", "300ms");

        assertThat(send(rcpts("a@example.test"))).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DEFERRED);
            assertThat(o.diagnostic()).contains("after end of data");
        });
        assertThat(sink.connections()).isEqualTo(1);
    }

    @Test
    void afterCloseDeliveriesAreDeferred() {
        delivery().close();

        assertThat(send(rcpts("a@example.test"))).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo(Status.DEFERRED);
        assertThat(sink.connections()).isZero();
    }
}
