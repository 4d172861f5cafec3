package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submission: STARTTLS before AUTH, AUTH before MAIL, sender ownership, relaying, failure throttling. */
class AuthTest {

    @TempDir
    Path folder;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(folder, Map.of("auth_max_failures", 3));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String plain(String login, String password) {
        return Base64.getEncoder().encodeToString(("\0" + login + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private SmtpClient submissionWithTls() throws Exception {
        SmtpClient client = SmtpClient.connect(server.submission());
        client.ehlo("client.example");
        assertThat(client.command("STARTTLS")).isEqualTo("220 2.0.0 Ready to start TLS");
        client.startTls();
        return client;
    }

    @Test
    void submissionNeedsAuthBeforeMailAndTlsBeforeAuth() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.submission())) {
            client.ehlo("client.example");
            assertThat(client.command("MAIL FROM:<alice@example.org>")).isEqualTo("530 5.7.0 Authentication required");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD))).isEqualTo(
                    "538 5.7.11 Encryption required for requested authentication mechanism; use STARTTLS first");
        }
    }

    @Test
    void plainTextAuthCanBeAllowedByConfiguration() throws Exception {
        server.reconfigure(Map.of("auth_plaintext_allowed", true));
        try (SmtpClient client = SmtpClient.connect(server.submission())) {
            assertThat(client.ehlo("client.example")).contains("AUTH PLAIN LOGIN");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD)))
                    .isEqualTo("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void startTlsForgetsTheEarlierHelo() throws Exception {
        try (SmtpClient client = submissionWithTls()) {
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD)))
                    .isEqualTo("503 5.5.1 Send EHLO first");
            assertThat(client.command("STARTTLS")).isEqualTo("503 5.5.1 TLS is already active");
        }
    }

    @Test
    void authenticatedSubmitterMayRelayFromItsOwnAddressesOnly() throws Exception {
        try (SmtpClient client = submissionWithTls()) {
            client.ehlo("client.example");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD)))
                    .isEqualTo("235 2.7.0 Authentication successful");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD)))
                    .isEqualTo("503 5.5.1 Already authenticated");
            assertThat(client.command("MAIL FROM:<bob@example.org>"))
                    .isEqualTo("553 5.7.1 <bob@example.org>: Sender address not owned by user alice@example.org");
            assertThat(client.command("MAIL FROM:<sales@example.org>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<friend@elsewhere.example>")).isEqualTo("250 2.1.5 Ok");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: out\r\n\r\nhello\r\n.")).isEqualTo("250 2.0.0 Ok: queued as Q1");
        }
        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.envelope().origin().authenticatedUser()).isEqualTo(TestUsers.ALICE);
        assertThat(queued.envelope().origin().protocol()).isEqualTo("ESMTPSA");
        assertThat(queued.envelope().origin().tls()).startsWith("TLSv1.3 TLS_");
        assertThat(queued.text()).contains("with ESMTPSA id ").contains("\r\n\t(using TLSv1.3 with cipher TLS_")
                .contains("\r\n\t(authenticated as alice@example.org);\r\n\t");
    }

    @Test
    void senderCheckCanBeTurnedOff() throws Exception {
        server.reconfigure(Map.of("sender_must_be_own", false));
        try (SmtpClient client = submissionWithTls()) {
            client.ehlo("client.example");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.BOB, "bob-secret"))).startsWith("235");
            assertThat(client.command("MAIL FROM:<ceo@example.org>")).isEqualTo("250 2.1.0 Ok");
        }
    }

    @Test
    void authLoginWithAndWithoutInitialResponseAndCancel() throws Exception {
        try (SmtpClient client = SmtpClient.connectTls(server.submissions())) {
            client.ehlo("client.example");
            assertThat(client.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(client.command("*")).isEqualTo("501 5.0.0 Authentication cancelled");
            assertThat(client.command("AUTH LOGIN " + base64("jörg@example.org"))).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(client.command(base64("jörg-secret"))).isEqualTo("235 2.7.0 Authentication successful");
        }
        try (SmtpClient client = SmtpClient.connectTls(server.submissions())) {
            client.ehlo("client.example");
            assertThat(client.command("AUTH PLAIN")).isEqualTo("334 ");
            assertThat(client.command("not base64!")).isEqualTo("501 5.5.2 Cannot decode the response (base64 expected)");
            assertThat(client.command("AUTH CRAM-MD5")).isEqualTo("504 5.5.4 Unrecognized authentication type; use PLAIN LOGIN");
            assertThat(client.command("AUTH PLAIN")).isEqualTo("334 ");
            assertThat(client.command(plain("alice", TestUsers.ALICE_PASSWORD))).isEqualTo("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void repeatedFailuresFromOneAddressAreThrottledAcrossConnections() throws Exception {
        try (SmtpClient client = submissionWithTls()) {
            client.ehlo("client.example");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, "wrong")))
                    .isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, "wrong again")))
                    .isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (SmtpClient client = submissionWithTls()) {
            client.ehlo("client.example");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, "third")))
                    .isEqualTo("421 4.7.0 Too many failed authentications; closing connection");
            assertThat(client.closedByServer()).isTrue();
        }
        try (SmtpClient client = submissionWithTls()) {
            client.ehlo("client.example");
            // even the right password is not tried while the address is throttled
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD)))
                    .isEqualTo("421 4.7.0 Too many failed authentications; try again later");
        }
    }

    @Test
    void mxOffersAuthAfterTlsOnlyWhenConfigured() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            client.command("STARTTLS");
            client.startTls();
            assertThat(client.ehlo("client.example")).doesNotContain("AUTH PLAIN LOGIN");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD)))
                    .isEqualTo("503 5.5.1 AUTH is not offered on this port; submit on port 587 or 465");
        }
        server.reconfigure(Map.of("mx_auth", true));
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            assertThat(client.ehlo("client.example")).doesNotContain("AUTH PLAIN LOGIN");
            client.command("STARTTLS");
            client.startTls();
            assertThat(client.ehlo("client.example")).contains("AUTH PLAIN LOGIN");
            assertThat(client.command("AUTH PLAIN " + plain(TestUsers.ALICE, TestUsers.ALICE_PASSWORD))).startsWith("235");
            assertThat(client.command("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(client.command("RCPT TO:<friend@elsewhere.example>")).isEqualTo("250 2.1.5 Ok");
        }
    }
}
