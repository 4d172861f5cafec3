package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.store.MailboxStore;

/** Garbage, broken arguments and failing services get a clear response; the connection stays. */
class RobustnessTest extends ImapServerTest {

    String user;
    ImapClient c;

    @BeforeEach
    void login() throws Exception {
        user = imap.newUser();
        imap.deliver(user, "INBOX", MailboxCommandsTest.message("one"));
        c = loggedIn(user);
    }

    @AfterEach
    void close() throws Exception {
        imap.currentStore.set(imap.store);
        c.close();
    }

    @Test
    void garbageGetsBadWithAClearText() throws Exception {
        c.sendRaw("\u0001\u0002\u00ff\r\n");
        assertThat(c.line()).isEqualTo("* BAD Invalid tag");
        c.out().write(new byte[] {'t', ' ', 'N', 'O', 'O', 'P', 0, '\r', '\n'});
        assertThat(c.line()).isEqualTo("t BAD Unexpected arguments at \"?\"");
        c.send("a");
        assertThat(c.line()).isEqualTo("a BAD Missing arguments");
        assertThat(c.command("b (LIST)")).containsExactly("b BAD Expected an atom at \"(LIST)\"");
        assertThat(c.command("c SELECT")).containsExactly("c BAD Missing arguments");
        assertThat(c.command("d APPEND INBOX {99999999999999999999}")).containsExactly("d BAD Number too large");
        assertThat(c.command("e UID FROB 1")).containsExactly("e BAD Command UID is not valid in this state");
        c.command("s EXAMINE INBOX");
        assertThat(c.command("e2 UID FROB 1")).containsExactly("e2 BAD Unknown UID command FROB");
        assertThat(c.command("f LIST \"\" \"*")).containsExactly("f BAD Unterminated quoted string");
        assertThat(c.command("g NOOP")).containsExactly("g OK NOOP completed");
    }

    @Test
    void badSequenceSetsAreRefused() throws Exception {
        c.command("s SELECT INBOX");
        assertThat(c.command("a FETCH 1:2:3 FLAGS")).containsExactly("a BAD Invalid sequence set at \":3 FLAGS\"");
        assertThat(c.command("b FETCH -1 FLAGS")).containsExactly("b BAD Invalid sequence set at \"-1 FLAGS\"");
        assertThat(c.command("c FETCH 4294967296 FLAGS")).containsExactly("c BAD Invalid sequence number 4294967296");
        assertThat(c.command("d COPY 2:* Trash")).containsExactly("d BAD Invalid message sequence number 2 (1 messages)");
        assertThat(c.command("e FETCH *:1 UID")).containsExactly("* 1 FETCH (UID 1)", "e OK FETCH completed");
        assertThat(c.command("f UID STORE 5:7 +FLAGS (\\Seen)")).containsExactly("f OK STORE completed");
    }

    @Test
    void aServerBugIsReportedAndLoggedAndTheConnectionStays() throws Exception {
        imap.currentStore.set((MailboxStore) Proxy.newProxyInstance(MailboxStore.class.getClassLoader(),
                new Class<?>[] {MailboxStore.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("a bug in the store");
                }));
        assertThat(c.command("a STATUS INBOX (MESSAGES)"))
                .containsExactly("a NO [SERVERBUG] Internal server error, the failure has been logged");
        imap.currentStore.set(imap.store);
        assertThat(c.command("b STATUS INBOX (MESSAGES)"))
                .containsExactly("* STATUS INBOX (MESSAGES 1)", "b OK STATUS completed");
    }

    @Test
    void utf8InQuotedStringsAndLiteralsWithEightBitText() throws Exception {
        String subject = "Grüße";
        imap.deliver(user, "INBOX", "Subject: " + subject + "\r\nFrom: a@example.org\r\n\r\nbody\r\n");
        c.command("s SELECT INBOX");
        byte[] utf8 = subject.getBytes(StandardCharsets.UTF_8);
        assertThat(c.command("a FETCH 2 ENVELOPE")).containsExactly("* 2 FETCH (ENVELOPE (NIL {" + utf8.length + "}\r\n"
                + subject + " ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\"))"
                + " ((NIL NIL \"a\" \"example.org\")) NIL NIL NIL NIL NIL))", "a OK FETCH completed");
        assertThat(c.command("b SEARCH SUBJECT \"grüße\"")).containsExactly("* SEARCH 2", "b OK SEARCH completed");
    }
}
