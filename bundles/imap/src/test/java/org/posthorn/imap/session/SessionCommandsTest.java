package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scripted exchanges (C: / S:) for the not-authenticated state: greeting, TLS, login, errors. */
class SessionCommandsTest extends ImapServerTest {

    String user;

    @BeforeEach
    void createUser() throws Exception {
        user = imap.newUser();
    }

    private static String capabilities(boolean tlsOffered, String auth) {
        return "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE" + (tlsOffered ? " STARTTLS" : "") + " " + auth
                + " NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS"
                + " CONDSTORE QRESYNC ESEARCH BINARY UTF8=ACCEPT QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE"
                + " STATUS=SIZE SEARCHRES SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES"
                + " MULTIAPPEND APPENDLIMIT=10485760";
    }

    @Test
    void greetingAnnouncesCapabilitiesWithStartTlsAndPlain() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            assertThat(c.line()).isEqualTo("* OK [CAPABILITY " + capabilities(true, "AUTH=PLAIN")
                    + "] Posthorn IMAP server ready");
            assertThat(c.command("a CAPABILITY")).containsExactly(
                    "* CAPABILITY " + capabilities(true, "AUTH=PLAIN"), "a OK CAPABILITY completed");
        }
    }

    @Test
    void loginSucceedsAndAnnouncesCapabilitiesOfTheAuthenticatedState() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            String caps = capabilities(false, "").replace("  ", " ");
            assertThat(c.command("a1 LOGIN " + user + " secret"))
                    .containsExactly("a1 OK [CAPABILITY " + caps + "] Logged in");
            assertThat(c.command("a2 NOOP")).containsExactly("a2 OK NOOP completed");
        }
    }

    @Test
    void wrongPasswordIsRefusedAndTheConnectionStays() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(c.command("a1 LOGIN " + user + " wrong"))
                    .containsExactly("a1 NO [AUTHENTICATIONFAILED] Authentication failed");
            assertThat(c.command("a2 LOGIN nobody@example.org secret"))
                    .containsExactly("a2 NO [AUTHENTICATIONFAILED] Authentication failed");
            c.login(user);
        }
    }

    @Test
    void aLoginRememberedByThePasswordHasherEndsWithAPasswordChangeADisabledOrDeletedAccount() throws Exception {
        String failed = "NO [AUTHENTICATIONFAILED] Authentication failed";
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(ImapClient.last(c.command("a1 LOGIN " + user + " secret"))).startsWith("a1 OK");
        }
        imap.users.setPassword(user, "changed".toCharArray());
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(c.command("b1 LOGIN " + user + " secret")).containsExactly("b1 " + failed);
            assertThat(ImapClient.last(c.command("b2 LOGIN " + user + " changed"))).startsWith("b2 OK");
        }
        imap.users.setEnabled(user, false);
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(c.command("c1 LOGIN " + user + " changed")).containsExactly("c1 " + failed);
        }
        imap.users.setEnabled(user, true);
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(ImapClient.last(c.command("d1 LOGIN " + user + " changed"))).startsWith("d1 OK");
        }
        imap.users.removeUser(user);
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(c.command("e1 LOGIN " + user + " changed")).containsExactly("e1 " + failed);
        }
    }

    @Test
    void loginIsDisabledBeforeTlsUnlessConfigured() throws Exception {
        ImapSettings defaults = ImapFixture.defaults();
        ImapSettings strict = new ImapSettings(defaults.server(), false, defaults.maxCommandSize(),
                defaults.maxMessageSize(), defaults.maxBadCommands(), defaults.loginTimeout(), defaults.idleKeepAlive());
        imap.service.reconfigure(strict);
        try (ImapClient c = ImapClient.connect(imap.port())) {
            assertThat(c.line()).contains(" STARTTLS LOGINDISABLED ").doesNotContain("AUTH=PLAIN");
            assertThat(c.command("a1 LOGIN " + user + " secret"))
                    .containsExactly("a1 NO [PRIVACYREQUIRED] Plaintext login is disabled; use STARTTLS first");
            assertThat(c.command("a2 AUTHENTICATE PLAIN")).containsExactly(
                    "a2 NO [PRIVACYREQUIRED] Plaintext authentication is disabled; use STARTTLS first");
            c.send("a3 STARTTLS");
            assertThat(c.line()).isEqualTo("a3 OK Begin TLS negotiation now");
            c.startTls();
            assertThat(c.command("a4 CAPABILITY").get(0)).contains(" AUTH=PLAIN ").doesNotContain("STARTTLS")
                    .doesNotContain("LOGINDISABLED");
            assertThat(c.command("a5 STARTTLS")).containsExactly("a5 BAD TLS is already active");
            c.login(user);
        } finally {
            imap.service.reconfigure(ImapFixture.defaults());
        }
    }

    @Test
    void implicitTlsPortTakesLogin() throws Exception {
        try (ImapClient c = ImapClient.connectTls(imap.port("imaps"))) {
            assertThat(c.line()).startsWith("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ").contains("AUTH=PLAIN")
                    .doesNotContain("STARTTLS");
            assertThat(c.command("t STARTTLS")).containsExactly("t BAD TLS is already active");
            c.login(user);
        }
    }

    @Test
    void authenticatePlainWithInitialResponseAndWithContinuation() throws Exception {
        String response = Base64.getEncoder().encodeToString(("\0" + user + "\0secret").getBytes(StandardCharsets.UTF_8));
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(ImapClient.last(c.command("a AUTHENTICATE PLAIN " + response))).startsWith("a OK [CAPABILITY");
        }
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            c.send("b AUTHENTICATE PLAIN");
            assertThat(c.line()).isEqualTo("+ ");
            c.send(response);
            assertThat(c.line()).startsWith("b OK [CAPABILITY");
        }
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            c.send("c AUTHENTICATE PLAIN");
            c.line();
            c.send("*");
            assertThat(c.line()).isEqualTo("c BAD Authentication cancelled");
            assertThat(c.command("d AUTHENTICATE CRAM-MD5"))
                    .containsExactly("d NO [CANNOT] Unsupported authentication mechanism");
            String other = Base64.getEncoder().encodeToString(("admin@example.org\0" + user + "\0secret")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(c.command("e AUTHENTICATE PLAIN " + other))
                    .containsExactly("e NO [AUTHORIZATIONFAILED] Acting as another user is not allowed");
        }
    }

    @Test
    void loginArgumentsMayBeQuotedOrLiterals() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            c.send("a LOGIN {" + user.length() + "}");
            assertThat(c.line()).isEqualTo("+ Ready for literal data");
            c.send(user + " {6+}");
            c.send("secret");
            assertThat(c.line()).startsWith("a OK [CAPABILITY");
        }
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(ImapClient.last(c.command("b LOGIN \"" + user + "\" \"secret\""))).startsWith("b OK");
        }
    }

    @Test
    void commandsInTheWrongStateOrUnknownAreBad() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(c.command("a SELECT INBOX")).containsExactly("a BAD Log in first");
            assertThat(c.command("b FROBNICATE")).containsExactly("b BAD Unknown command FROBNICATE");
            c.send("");
            assertThat(c.line()).isEqualTo("* BAD Invalid tag");
            c.send("+tag NOOP");
            assertThat(c.line()).isEqualTo("* BAD Invalid tag");
            assertThat(c.command("c LOGIN onlyuser")).containsExactly("c BAD Missing arguments");
            c.login(user);
            assertThat(c.command("d LOGIN a b")).containsExactly("d BAD Command LOGIN is not valid in this state");
            assertThat(c.command("e FETCH 1 FLAGS")).containsExactly("e BAD Command FETCH is not valid in this state");
            assertThat(c.command("f NOOP extra")).containsExactly("f BAD Unexpected arguments at \" extra\"");
        }
    }

    @Test
    void tooManyBadCommandsEndTheConnection() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            for (int i = 1; i < 10; i++) {
                assertThat(c.command("x" + i + " BOGUS")).containsExactly("x" + i + " BAD Unknown command BOGUS");
            }
            c.send("x10 BOGUS");
            assertThat(c.line()).isEqualTo("x10 BAD Unknown command BOGUS");
            assertThat(c.line()).isEqualTo("* BYE Too many invalid commands");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void overlongLinesAndLiteralsAreRefusedCleanly() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            c.send("a NOOP " + "x".repeat(9000));
            assertThat(c.line()).isEqualTo("* BAD [TOOBIG] Line too long");
            assertThat(c.command("b LOGIN {100000}")).containsExactly("b BAD [TOOBIG] Command too long");
            // a non-synchronizing literal over the limit is read and dropped, not taken for commands
            c.send("c LOGIN {70000+}");
            c.sendRaw("y".repeat(70000) + " x\r\n");
            assertThat(c.line()).isEqualTo("c BAD [TOOBIG] Command too long");
            assertThat(c.command("d NOOP")).containsExactly("d OK NOOP completed");
        }
    }

    @Test
    void idEnableNamespaceAndLogout() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            assertThat(c.command("a ID (\"name\" \"test\" \"version\" NIL)"))
                    .containsExactly("* ID (\"name\" \"Posthorn\" \"vendor\" \"Posthorn\")", "a OK ID completed");
            assertThat(c.command("b ENABLE CONDSTORE")).containsExactly("b BAD Log in first");
            c.login(user);
            assertThat(c.command("c ENABLE CONDSTORE X-UNKNOWN UTF8=ACCEPT"))
                    .containsExactly("* ENABLED CONDSTORE UTF8=ACCEPT", "c OK ENABLE completed");
            assertThat(c.command("d NAMESPACE"))
                    .containsExactly("* NAMESPACE ((\"\" \"/\")) NIL NIL", "d OK NAMESPACE completed");
            assertThat(c.command("e LOGOUT")).containsExactly("* BYE Logging out", "e OK LOGOUT completed");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void withoutStoreOrDirectoryCommandsFailTemporarilyAndTheConnectionStays() throws Exception {
        try (ImapClient c = ImapClient.connect(imap.port())) {
            c.line();
            imap.currentUsers.set(null);
            try {
                assertThat(c.command("a LOGIN " + user + " secret"))
                        .containsExactly("a NO [UNAVAILABLE] User directory is not available, try again later");
            } finally {
                imap.currentUsers.set(imap.users);
            }
            c.login(user);
            imap.currentStore.set(null);
            try {
                List<String> select = c.command("b SELECT INBOX");
                assertThat(select).containsExactly("b NO [UNAVAILABLE] Mailbox store is not available, try again later");
            } finally {
                imap.currentStore.set(imap.store);
            }
            assertThat(ImapClient.last(c.command("c SELECT INBOX"))).isEqualTo("c OK [READ-WRITE] SELECT completed");
        }
    }

    @Test
    void aClientThatDoesNotLogInIsLoggedOutAfterTheLoginTimeout() throws Exception {
        ImapSettings defaults = ImapFixture.defaults();
        try (ImapClient loggedIn = ImapClient.connect(imap.port())) {
            loggedIn.line();
            loggedIn.login(user);
            imap.service.reconfigure(new ImapSettings(defaults.server(), true, defaults.maxCommandSize(),
                    defaults.maxMessageSize(), defaults.maxBadCommands(), java.time.Duration.ofSeconds(1),
                    defaults.idleKeepAlive()));
            try (ImapClient silent = ImapClient.connect(imap.port())) {
                silent.line();
                assertThat(silent.line()).isEqualTo("* BYE Autologout; idle for too long");
                assertThat(silent.closedByServer()).isTrue();
            }
            // after login the server's idle timeout applies
            assertThat(loggedIn.command("a NOOP")).containsExactly("a OK NOOP completed");
        } finally {
            imap.service.reconfigure(defaults);
        }
    }
}
