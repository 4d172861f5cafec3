package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** AUTHORIZATION state: CAPA, TLS, USER/PASS, AUTH PLAIN, the maildrop lock, throttling, missing services. */
@ExtendWith(TestMailSystem.Resolver.class)
class Pop3LoginTest {

    private final TestMailSystem system;
    private Pop3TestServer server;
    private String account;

    Pop3LoginTest(TestMailSystem system) {
        this.system = system;
    }

    @BeforeEach
    void start() throws Exception {
        server = Pop3TestServer.start(system);
        account = system.newUser();
        system.deliver(account, TestMailSystem.message("hello", "Hi.\r\n"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void restart(Map<String, ?> config) {
        server.close();
        server = Pop3TestServer.start(system, config);
    }

    private Pop3Client plain() throws Exception {
        Pop3Client client = Pop3Client.connect(server.pop3());
        client.expect("+OK POP3 server ready");
        return client;
    }

    private static String plain(String authorizationId, String login, String password) {
        return Base64.getEncoder().encodeToString((authorizationId + "\0" + login + "\0" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void beforeTlsCapaOffersStlsButNoPlaintextLogin() throws Exception {
        try (Pop3Client client = plain()) {
            assertThat(client.multiLine("CAPA")).containsExactly("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                    "PIPELINING", "STLS", "IMPLEMENTATION Posthorn");
            assertThat(client.command("USER " + account))
                    .isEqualTo("-ERR [AUTH] Plaintext login is not allowed before TLS; use STLS first");
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).isEqualTo("-ERR Send USER first");
            assertThat(client.command("AUTH PLAIN " + plain("", account, TestMailSystem.PASSWORD)))
                    .isEqualTo("-ERR [AUTH] Plaintext login is not allowed before TLS; use STLS first");
            assertThat(client.multiLine("AUTH")).as("no mechanism before TLS").isEmpty();
        }
    }

    @Test
    void stlsUpgradesTheConnectionAndThenLoginIsOffered() throws Exception {
        try (Pop3Client client = plain()) {
            assertThat(client.command("STLS")).isEqualTo("+OK Begin TLS negotiation");
            client.startTls(system.clientTls());
            assertThat(client.multiLine("CAPA")).containsExactly("TOP", "UIDL", "USER", "SASL PLAIN", "RESP-CODES",
                    "AUTH-RESP-CODE", "PIPELINING", "IMPLEMENTATION Posthorn");
            assertThat(client.command("STLS")).isEqualTo("-ERR TLS is already active");
            client.login(account, TestMailSystem.PASSWORD);
            assertThat(client.multiLine("CAPA")).as("after login").containsExactly("TOP", "UIDL", "RESP-CODES",
                    "AUTH-RESP-CODE", "PIPELINING", "IMPLEMENTATION Posthorn");
            assertThat(client.command("STAT")).startsWith("+OK 1 ");
        }
    }

    @Test
    void commandsPipelinedAfterStlsAreDiscarded() throws Exception {
        try (Pop3Client client = plain()) {
            // RFC 2595 §4 / CVE-2011-0411: a man in the middle appends a command to the client's STLS
            client.send("STLS\r\nUSER " + account + "\r\n");
            assertThat(client.readLine()).isEqualTo("+OK Begin TLS negotiation");
            client.startTls(system.clientTls());
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).isEqualTo("-ERR Send USER first");
        }
    }

    @Test
    void implicitTlsPortServesTlsFromTheFirstByte() throws Exception {
        try (Pop3Client client = Pop3Client.connectTls(server.pop3s(), system.clientTls())) {
            client.expect("+OK POP3 server ready");
            assertThat(client.multiLine("CAPA")).contains("USER", "SASL PLAIN").doesNotContain("STLS");
            assertThat(client.command("STLS")).isEqualTo("-ERR TLS is already active");
            client.login(account, TestMailSystem.PASSWORD);
            assertThat(client.command("STAT")).startsWith("+OK 1 ");
        }
    }

    @Test
    void plaintextLoginCanBeAllowed() throws Exception {
        restart(Map.of("auth.plaintext.allowed", true));
        try (Pop3Client client = plain()) {
            assertThat(client.multiLine("CAPA")).contains("USER", "SASL PLAIN", "STLS");
            client.login(account, TestMailSystem.PASSWORD);
            assertThat(client.command("STAT")).startsWith("+OK 1 ");
        }
    }

    @Test
    void withoutTlsMaterialThereIsNoStlsAndPlaintextLoginIsStillRefused() throws Exception {
        server.component.unbindTlsMaterial(system.tls);
        try (Pop3Client client = plain()) {
            assertThat(client.multiLine("CAPA")).doesNotContain("STLS", "USER");
            assertThat(client.command("STLS")).isEqualTo("-ERR [SYS/TEMP] TLS is not available right now; try again later");
            assertThat(client.command("USER " + account)).isEqualTo(
                    "-ERR [AUTH] Plaintext login is not allowed before TLS; connect to the POP3S port (TLS) instead");
        }
    }

    @Test
    void aWrongPasswordIsAnAuthErrorAndTheClientMayTryAgain() throws Exception {
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS wrong")).isEqualTo("-ERR [AUTH] Invalid login or password");
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).as("USER is forgotten")
                    .isEqualTo("-ERR Send USER first");
            client.expectOk("USER nobody@example.org");
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).isEqualTo("-ERR [AUTH] Invalid login or password");
            client.login(account, TestMailSystem.PASSWORD);
        }
    }

    @Test
    void aDisabledAccountCannotLogIn() throws Exception {
        system.directory.setEnabled(account, false);
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).isEqualTo("-ERR [AUTH] Invalid login or password");
        }
    }

    @Test
    void authPlainWithAnInitialResponse() throws Exception {
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.multiLine("AUTH")).containsExactly("PLAIN");
            assertThat(client.command("AUTH PLAIN " + plain("", account, TestMailSystem.PASSWORD)))
                    .isEqualTo("+OK Logged in; 1 messages (" + TestMailSystem.message("hello", "Hi.\r\n").length()
                            + " octets)");
        }
    }

    @Test
    void authPlainWithAContinuationAndAnAuthorizationIdentityOfItself() throws Exception {
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.command("auth plain")).isEqualTo("+ ");
            assertThat(client.command(plain(account, account, TestMailSystem.PASSWORD))).startsWith("+OK Logged in");
        }
    }

    @Test
    void authPlainErrors() throws Exception {
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.command("AUTH CRAM-MD5")).isEqualTo("-ERR Unsupported SASL mechanism CRAM-MD5; use PLAIN");
            assertThat(client.command("AUTH PLAIN")).isEqualTo("+ ");
            assertThat(client.command("*")).isEqualTo("-ERR Authentication cancelled");
            assertThat(client.command("AUTH PLAIN not*base64")).isEqualTo("-ERR Invalid base64 in the authentication response");
            assertThat(client.command("AUTH PLAIN =")).isEqualTo("-ERR A PLAIN response is [authzid] NUL login NUL password");
            assertThat(client.command("AUTH PLAIN " + plain("", account, "wrong")))
                    .isEqualTo("-ERR [AUTH] Invalid login or password");
            String other = system.newUser();
            assertThat(client.command("AUTH PLAIN " + plain(other, account, TestMailSystem.PASSWORD)))
                    .isEqualTo("-ERR [AUTH] Logging in as another user (an authorization identity) is not supported");
            assertThat(client.command("AUTH PLAIN a b c")).isEqualTo("-ERR Usage: AUTH mechanism [initial-response]");
            assertThat(client.command("AUTH PLAIN " + plain("", account, TestMailSystem.PASSWORD))).startsWith("+OK");
        }
    }

    @Test
    void aSecondSessionOfTheSameUserIsRefusedWhileTheFirstHoldsTheMaildrop() throws Exception {
        try (Pop3Client first = server.login(account); Pop3Client second = server.connectSecure()) {
            second.expectOk("USER " + account);
            assertThat(second.command("PASS " + TestMailSystem.PASSWORD))
                    .isEqualTo("-ERR [IN-USE] Your maildrop is in use by another POP3 session; try again later");
            assertThat(second.command("AUTH PLAIN " + plain("", account, TestMailSystem.PASSWORD)))
                    .startsWith("-ERR [IN-USE]");

            first.expectOk("QUIT");
            second.login(account, TestMailSystem.PASSWORD);
        }
    }

    @Test
    void theLockOfADroppedSessionIsReleased() throws Exception {
        server.login(account).close();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Pop3Client again = server.connectSecure()) {
                again.expectOk("USER " + account);
                return again.command("PASS " + TestMailSystem.PASSWORD).startsWith("+OK");
            }
        });
    }

    @Test
    void repeatedFailuresFromOneAddressAreRefusedUncheckedWhileOtherAddressesMayLogIn() throws Exception {
        restart(Map.of("auth.max.failures", 3));
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS guess1")).isEqualTo("-ERR [AUTH] Invalid login or password");
            assertThat(client.command("AUTH PLAIN " + plain("", account, "guess2")))
                    .isEqualTo("-ERR [AUTH] Invalid login or password");
            client.expectOk("USER " + account);
            assertThat(client.command("PASS guess3")).isEqualTo("-ERR [SYS/TEMP] Too many failed logins; try again later");
            assertThat(client.closedByServer()).isTrue();
        }
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).as("even the right password")
                    .isEqualTo("-ERR [SYS/TEMP] Too many failed logins from your address; try again later");
            assertThat(client.closedByServer()).isTrue();
        }
        try (Pop3Client client = Pop3Client.connectFrom("127.0.0.2", server.pop3())) {
            client.expect("+OK POP3 server ready");
            client.expectOk("STLS");
            client.startTls(system.clientTls());
            client.login(account, TestMailSystem.PASSWORD);
        }
    }

    @Test
    void loginDelayAndExpireAreAdvertisedWhenConfiguredAndTheDelayIsEnforced() throws Exception {
        restart(Map.of("login.delay.seconds", 900, "expire", "never"));
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.multiLine("CAPA")).contains("LOGIN-DELAY 900", "EXPIRE NEVER");
            client.login(account, TestMailSystem.PASSWORD);
            client.expectOk("QUIT");
        }
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD))
                    .isEqualTo("-ERR [LOGIN-DELAY] Log in at most once every 900 seconds");
        }
    }

    @Test
    void withoutTheUserDirectoryLoginsAreATemporaryError() throws Exception {
        server.component.unbindUserDirectory(system.directory);
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD)).isEqualTo(
                    "-ERR [SYS/TEMP] Logins are not possible right now (the user directory is unavailable); try again later");
        }
        server.component.bindUserDirectory(system.directory);
        server.login(account).close();
    }

    @Test
    void withoutTheStoreLoginAndCommandsAreATemporaryErrorAndQuitSaysNothingWasDeleted() throws Exception {
        server.component.unbindMailboxStore(system.store);
        try (Pop3Client client = server.connectSecure()) {
            client.expectOk("USER " + account);
            assertThat(client.command("PASS " + TestMailSystem.PASSWORD))
                    .isEqualTo("-ERR [SYS/TEMP] The mail store is unavailable; try again later");
        }
        server.component.bindMailboxStore(system.store);
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 1");
            server.component.unbindMailboxStore(system.store);
            assertThat(client.command("STAT")).as("the maildrop was read at login").startsWith("+OK 0 ");
            assertThat(client.command("RSET")).startsWith("+OK 1 messages");
            assertThat(client.command("TOP 1 0")).isEqualTo("-ERR [SYS/TEMP] The mail store is unavailable; try again later");
            client.expectOk("DELE 1");
            assertThat(client.command("QUIT"))
                    .isEqualTo("-ERR [SYS/TEMP] Some deleted messages not removed: the mail store is unavailable");
            assertThat(client.closedByServer()).isTrue();
        }
        server.component.bindMailboxStore(system.store);
        try (Pop3Client client = server.login(account)) {
            assertThat(client.command("STAT")).startsWith("+OK 1 ");
        }
    }

    @Test
    void servicesGoingAwayAreWarnedAboutOnlyWhileTheServerRuns() {
        Logger logger = (Logger) LoggerFactory.getLogger(Pop3Server.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            server.component.unbindUserDirectory(system.directory);
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("POP3: user directory gone; logins answer -ERR [SYS/TEMP] until it returns");

            // stopping or updating the bundle: DS deactivates the component, then unbinds its references
            server.close();
            server.component.unbindMailboxStore(system.store);
            server.component.unbindTlsMaterial(system.tls);
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1);
        } finally {
            logger.detachAppender(log);
        }
    }
}
