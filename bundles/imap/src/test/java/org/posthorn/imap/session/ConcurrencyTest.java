package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.UidSet;

/** Sessions on one mailbox see each other's changes at the right moments; IDLE pushes; QRESYNC; shutdown. */
class ConcurrencyTest extends ImapServerTest {

    String user;
    ImapClient a;
    ImapClient b;

    @BeforeEach
    void twoSessions() throws Exception {
        user = imap.newUser();
        for (int i = 1; i <= 3; i++) {
            imap.deliver(user, "INBOX", MailboxCommandsTest.message("m" + i));
        }
        a = loggedIn(user);
        b = loggedIn(user);
        a.command("a0 SELECT INBOX");
        b.command("b0 SELECT INBOX");
    }

    @AfterEach
    void close() throws Exception {
        a.close();
        b.close();
    }

    private void settled() throws Exception {
        imap.awaitEventsDelivered(user, "INBOX");
    }

    @Test
    void newMessagesAndFlagChangesReachTheOtherSessionAfterItsNextCommand() throws Exception {
        String text = MailboxCommandsTest.message("from b");
        b.sendRaw("b1 APPEND INBOX {" + text.length() + "+}\r\n" + text + "\r\n");
        assertThat(b.responsesTo("b1")).containsExactly("* 4 EXISTS", "* 1 RECENT",
                "b1 OK [APPENDUID " + imap.store.mailbox(user, "INBOX").uidValidity() + " 4] APPEND completed");
        assertThat(b.command("b2 STORE 2 +FLAGS (\\Flagged)"))
                .containsExactly("* 2 FETCH (FLAGS (\\Flagged))", "b2 OK STORE completed");
        settled();
        assertThat(a.command("a1 NOOP")).containsExactly("* 4 EXISTS", "* 3 RECENT",
                "* 2 FETCH (FLAGS (\\Flagged \\Recent))", "a1 OK NOOP completed");
        assertThat(a.command("a2 NOOP")).containsExactly("a2 OK NOOP completed");
        assertThat(b.command("b3 NOOP")).containsExactly("b3 OK NOOP completed");
    }

    @Test
    void aKeywordSetByAnotherSessionIsAnnouncedInFlagsBeforeAFetchNamesIt() throws Exception {
        assertThat(b.command("b1 STORE 1 +FLAGS.SILENT ($Label1)")).last().isEqualTo("b1 OK STORE completed");
        settled();
        // RFC 3501 §7.2.6: a FETCH response names only flags of the last FLAGS response (imaptest:
        // "Keyword used without being in FLAGS")
        List<String> lines = a.command("a1 FETCH 1 FLAGS");
        assertThat(lines.get(0)).startsWith("* FLAGS (").contains("$Label1");
        assertThat(lines).contains("* 1 FETCH (FLAGS ($Label1 \\Recent))");
    }

    @Test
    void noopAndCheckShowWhatCommittedEvenBeforeTheStoresEventArrives() throws Exception {
        // imaptest "copy": a COPY by one session, then NOOP in another must show the new message
        imap.withoutEvents(() -> {
            imap.deliver(user, "INBOX", MailboxCommandsTest.message("unannounced"));
            assertThat(a.command("a1 NOOP")).containsExactly("* 4 EXISTS", "* 4 RECENT", "a1 OK NOOP completed");
            imap.deliver(user, "INBOX", MailboxCommandsTest.message("unannounced too"));
            assertThat(a.command("a2 CHECK")).containsExactly("* 5 EXISTS", "* 5 RECENT", "a2 OK CHECK completed");
        });
    }

    @Test
    void expungesWaitUntilACommandThatAllowsThem() throws Exception {
        assertThat(b.command("b1 STORE 2 +FLAGS.SILENT (\\Deleted)")).containsExactly("b1 OK STORE completed");
        assertThat(b.command("b2 EXPUNGE")).containsExactly("* 2 EXPUNGE", "b2 OK EXPUNGE completed");
        settled();
        // RFC 9051 §7.5.1: not during FETCH, STORE or SEARCH; message 3 keeps its number meanwhile
        assertThat(a.command("a1 FETCH 3 UID")).containsExactly("* 3 FETCH (UID 3)", "a1 OK FETCH completed");
        assertThat(a.command("a2 FETCH 2 FLAGS"))
                .containsExactly("a2 OK [EXPUNGEISSUED] Some of the requested messages no longer exist");
        assertThat(a.command("a3 SEARCH ALL")).containsExactly("* SEARCH 1 3", "a3 OK SEARCH completed");
        assertThat(a.command("a4 NOOP")).containsExactly("* 2 EXPUNGE", "a4 OK NOOP completed");
        assertThat(a.command("a5 FETCH 2 UID")).containsExactly("* 2 FETCH (UID 3)", "a5 OK FETCH completed");
    }

    @Test
    void idlePushesDeliveriesFlagChangesAndExpunges() throws Exception {
        a.send("i1 IDLE");
        assertThat(a.line()).isEqualTo("+ idling");
        imap.deliver(user, "INBOX", MailboxCommandsTest.message("pushed"));
        assertThat(a.line()).isEqualTo("* 4 EXISTS");
        assertThat(a.line()).isEqualTo("* 4 RECENT");
        imap.store.updateFlags(user, "INBOX", UidSet.ofUids(1), FlagUpdate.Mode.ADD, Set.of("\\Seen"), -1);
        assertThat(a.line()).isEqualTo("* 1 FETCH (FLAGS (\\Seen \\Recent))");
        b.command("b1 STORE 1 +FLAGS.SILENT (\\Deleted)");
        b.command("b2 EXPUNGE");
        // the flag change is pushed on its own if it is seen before the expunge commits
        String pushed = a.line();
        if (!pushed.equals("* 1 EXPUNGE")) {
            assertThat(pushed).isEqualTo("* 1 FETCH (FLAGS (\\Deleted \\Seen \\Recent))");
            assertThat(a.line()).isEqualTo("* 1 EXPUNGE");
        }
        a.send("DONE");
        assertThat(a.line()).isEqualTo("i1 OK IDLE terminated");
        assertThat(a.command("a1 FETCH 1:* UID")).containsExactly("* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)",
                "* 3 FETCH (UID 4)", "a1 OK FETCH completed");
    }

    @Test
    void idleHearsKeepAlives() throws Exception {
        ImapSettings defaults = ImapFixture.defaults();
        imap.service.reconfigure(new ImapSettings(defaults.server(), true, defaults.maxCommandSize(),
                defaults.maxMessageSize(), defaults.maxBadCommands(), defaults.loginTimeout(),
                java.time.Duration.ofMillis(200)));
        try {
            a.send("i1 IDLE");
            assertThat(a.line()).isEqualTo("+ idling");
            assertThat(a.line()).isEqualTo("* OK Still here");
            a.send("DONE");
            String line = a.line();
            while (line.equals("* OK Still here")) {
                line = a.line();
            }
            assertThat(line).isEqualTo("i1 OK IDLE terminated");
        } finally {
            imap.service.reconfigure(defaults);
        }
        // not while no IDLE is in progress
        assertThat(a.command("a1 NOOP")).containsExactly("a1 OK NOOP completed");
    }

    @Test
    void idleInTheAuthenticatedStateWaitsForDone() throws Exception {
        a.command("a1 UNSELECT");
        a.send("i1 IDLE");
        assertThat(a.line()).isEqualTo("+ idling");
        a.send("NOT DONE");
        assertThat(a.line()).isEqualTo("i1 BAD Expected DONE");
        assertThat(a.command("a2 NOOP")).containsExactly("a2 OK NOOP completed");
    }

    @Test
    void renamedAndDeletedSelectedMailboxes() throws Exception {
        a.command("a1 CREATE Projects");
        imap.deliver(user, "Projects", MailboxCommandsTest.message("project"));
        b.command("b1 SELECT Projects");
        assertThat(a.command("a2 RENAME Projects Done")).containsExactly("a2 OK RENAME completed");
        imap.awaitEvent(e -> e.kind() == MailboxEvent.Kind.RENAMED && "Done".equals(e.newName()));
        assertThat(b.command("b2 FETCH 1 UID")).containsExactly("* 1 FETCH (UID 1)", "b2 OK FETCH completed");
        assertThat(a.command("a3 DELETE Done")).containsExactly("a3 OK DELETE completed");
        imap.awaitEvent(e -> e.kind() == MailboxEvent.Kind.DELETED && "Done".equals(e.mailbox()));
        b.send("b3 NOOP");
        assertThat(b.line()).isEqualTo("* BYE Selected mailbox was deleted");
        assertThat(b.closedByServer()).isTrue();
    }

    @Test
    void qresyncReportsVanishedAndChangedMessages() throws Exception {
        long validity = imap.store.mailbox(user, "INBOX").uidValidity();
        long before = imap.store.status(user, "INBOX").highestModSeq();
        b.command("b1 STORE 1 +FLAGS.SILENT (\\Seen)");
        b.command("b2 STORE 2 +FLAGS.SILENT (\\Deleted)");
        b.command("b3 EXPUNGE");
        long now = imap.store.status(user, "INBOX").highestModSeq();
        settled();
        assertThat(a.command("a1 ENABLE QRESYNC")).containsExactly("a1 BAD Command ENABLE is not valid in this state");
        a.command("a2 UNSELECT");
        assertThat(a.command("a3 ENABLE QRESYNC")).containsExactly("* ENABLED QRESYNC", "a3 OK ENABLE completed");
        assertThat(a.command("a4 SELECT INBOX (QRESYNC (" + validity + " " + before + " 1:3))")).containsSubsequence(
                "* OK [HIGHESTMODSEQ " + now + "] Highest",
                "* VANISHED (EARLIER) 2",
                "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (" + (before + 1) + "))",
                "a4 OK [READ-WRITE] SELECT completed");
        assertThat(a.command("a5 UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + before + " VANISHED)")).containsExactly(
                "* VANISHED (EARLIER) 2",
                "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (" + (before + 1) + "))",
                "a5 OK UID FETCH completed");
        b.command("b4 STORE 1 +FLAGS.SILENT (\\Deleted)");
        b.command("b5 EXPUNGE");
        settled();
        assertThat(a.command("a6 NOOP")).containsExactly("* VANISHED 1", "a6 OK NOOP completed");
        assertThat(a.command("a7 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)"))
                .containsExactly("a7 BAD Unknown FETCH modifier VANISHED");
    }

    @Test
    void stoppingTheServerSaysByeAndFreesThePort() throws Exception {
        ImapService second = new ImapService(ImapFixture.defaults(), () -> imap.store, () -> imap.users,
                () -> Optional.of(imap.tls));
        int port = second.listeners().get(0).boundAddress().orElseThrow().getPort();
        try (ImapClient client = ImapClient.connect(port)) {
            client.line();
            client.login(user);
            client.command("s SELECT INBOX");
            second.close();
            assertThat(client.line()).isEqualTo("* BYE Server shutting down");
            assertThat(client.closedByServer()).isTrue();
        }
        try (ServerSocket free = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(free.getLocalPort()).isEqualTo(port);
        }
    }
}
