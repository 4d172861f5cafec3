package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Greeting, EHLO per listener and state, the simple commands, and sessions surviving garbage. */
class SessionTest {

    @TempDir
    Path folder;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(folder, Map.of("max_line_length", 1000));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void greetingAndEhloOnTheMxListenerOfferStartTlsButNotAuth() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            String reply = client.command("EHLO client.example");
            assertThat(reply.split("\n")[0]).isEqualTo("250-mx.example.org Hello client.example [127.0.0.1]");
            assertThat(client.ehlo("client.example")).containsExactly("PIPELINING", "SIZE 52428800", "8BITMIME",
                    "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME", "DSN", "STARTTLS", "HELP");
        }
    }

    @Test
    void submissionOffersAuthOnlyAfterStartTls() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.submission())) {
            assertThat(client.ehlo("client.example")).contains("STARTTLS").doesNotContain("AUTH PLAIN LOGIN");
            assertThat(client.command("STARTTLS")).isEqualTo("220 2.0.0 Ready to start TLS");
            client.startTls();
            assertThat(client.ehlo("client.example")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
        }
    }

    @Test
    void implicitTlsListenerOffersAuthAndNoStartTls() throws Exception {
        try (SmtpClient client = SmtpClient.connectTls(server.submissions())) {
            assertThat(client.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(client.ehlo("client.example")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(client.command("STARTTLS")).isEqualTo("503 5.5.1 TLS is already active");
        }
    }

    @Test
    void heloGetsAPlainAnswerAndTheSimpleCommandsWork() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            assertThat(client.command("HELO old.example")).isEqualTo("250 mx.example.org Hello old.example [127.0.0.1]");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
            assertThat(client.command("RSET")).isEqualTo("250 2.0.0 Ok");
            assertThat(client.command("VRFY alice")).isEqualTo(
                    "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
            assertThat(client.command("EXPN staff")).isEqualTo("502 5.5.1 EXPN is not available");
            assertThat(client.command("HELP")).startsWith("214-2.0.0 Commands:").contains("\n214 2.0.0 ");
            assertThat(client.command("QUIT")).isEqualTo("221 2.0.0 Bye");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void vrfyLooksUpWhenEnabled() throws Exception {
        server.reconfigure(Map.of("vrfy_enabled", true));
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            assertThat(client.command("VRFY <alice@example.org>")).isEqualTo("250 2.1.5 <alice@example.org>");
            assertThat(client.command("VRFY nobody@example.org")).isEqualTo("550 5.1.1 <nobody@example.org>: User unknown");
        }
    }

    @Test
    void unknownAndOutOfOrderCommandsAreRefusedAndTheSessionGoesOn() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            assertThat(client.command("FROB")).isEqualTo("500 5.5.1 Command unrecognized");
            assertThat(client.command("")).isEqualTo("500 5.5.2 Empty command");
            assertThat(client.command("MAIL FROM:<a@example.com>")).isEqualTo("503 5.5.1 Send HELO or EHLO first");
            assertThat(client.command("EHLO")).isEqualTo("501 5.5.4 Syntax: EHLO hostname");
            client.ehlo("client.example");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("503 5.5.1 Need MAIL command first");
            assertThat(client.command("DATA")).isEqualTo("503 5.5.1 Need MAIL command first");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
        }
    }

    @Test
    void overLongLinesAndBinaryJunkGetErrorsAndTooManyErrorsCloseTheSession() throws Exception {
        server.reconfigure(Map.of("max_errors", 5, "max_line_length", 1000));
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            assertThat(client.command("NOOP " + "x".repeat(2000))).isEqualTo("500 5.5.2 Line too long");
            client.send(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\r', '\n'});
            assertThat(client.reply()).isEqualTo("500 5.5.1 Command unrecognized");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
            client.send("BARE\n");
            assertThat(client.reply()).isEqualTo("500 5.5.2 Command lines must end with CR LF");
            assertThat(client.command("FROB")).isEqualTo("500 5.5.1 Command unrecognized");
            // the fifth error is the last
            assertThat(client.command("FROB")).isEqualTo("500 5.5.1 Command unrecognized");
            assertThat(client.reply()).isEqualTo("421 4.7.0 Too many errors; closing connection");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedCommandsInOnePacketAreAnsweredInOrder() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            client.send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<alice@example.org>\r\n"
                    + "RCPT TO:<nobody@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
            assertThat(client.reply()).isEqualTo("250 2.1.0 Ok");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Ok");
            assertThat(client.reply()).isEqualTo("550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown");
            assertThat(client.reply()).isEqualTo("250 2.1.5 Ok");
            assertThat(client.reply()).isEqualTo("354 End data with <CR><LF>.<CR><LF>");
            client.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n");
            assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
            assertThat(client.reply()).isEqualTo("250 2.0.0 Ok");
            assertThat(client.reply()).isEqualTo("221 2.0.0 Bye");
        }
        assertThat(server.queue.only().envelope().recipients()).extracting(r -> r.address().toString())
                .containsExactly("alice@example.org", "bob@example.org");
    }

    @Test
    void slowSenderTricklingBytesIsServed() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            for (char c : "EHLO slow.example\r\n".toCharArray()) {
                client.send(String.valueOf(c));
            }
            assertThat(client.reply()).startsWith("250-mx.example.org Hello slow.example");
            client.send("MAIL FROM:<slow@");
            client.send("example.com>\r");
            client.send("\n");
            assertThat(client.reply()).isEqualTo("250 2.1.0 Ok");
        }
    }

    @Test
    void commandsInjectedAfterStartTlsAreNeverRun() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.submission())) {
            client.ehlo("client.example");
            // CVE-2011-0411: a man in the middle appends plain-text commands to the client's STARTTLS
            client.send("STARTTLS\r\nQUIT\r\n");
            assertThat(client.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
            client.startTls();
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
            assertThat(client.command("MAIL FROM:<x@example.com>")).isEqualTo("503 5.5.1 Send HELO or EHLO first");
        }
    }

    @Test
    void idleClientIsToldAndDisconnected() throws Exception {
        server.reconfigure(Map.of("command_timeout_seconds", 1));
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            assertThat(client.reply()).isEqualTo("421 4.4.2 mx.example.org Timeout waiting for input; closing connection");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void shutdownSaysGoodbye() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            server.close();
            assertThat(client.reply()).isEqualTo("421 4.3.2 mx.example.org Service shutting down; try again later");
        }
    }
}
