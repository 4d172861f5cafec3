package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.UidSet;

/** Scripted exchanges for the authenticated state: mailboxes, LIST, STATUS, APPEND, SELECT, EXPUNGE, QUOTA. */
class MailboxCommandsTest extends ImapServerTest {

    String user;
    ImapClient c;

    @BeforeEach
    void login() throws Exception {
        user = imap.newUser();
        c = loggedIn(user);
    }

    @AfterEach
    void logout() throws Exception {
        c.close();
    }

    static String message(String subject) {
        return "From: Bob <bob@example.com>\r\nTo: someone@example.org\r\nSubject: " + subject
                + "\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nMessage-ID: <" + subject.hashCode()
                + "@example.com>\r\n\r\nHello, this is " + subject + ".\r\n";
    }

    private long uidValidity(String mailbox) throws Exception {
        return imap.store.mailbox(user, mailbox).uidValidity();
    }

    @Test
    void listShowsTheStandardMailboxesWithSpecialUse() throws Exception {
        assertThat(c.command("a LIST \"\" \"*\"")).containsExactly(
                "* LIST (\\HasNoChildren \\Archive) \"/\" Archive",
                "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts",
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
                "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
                "a OK LIST completed");
        assertThat(c.command("b LIST \"\" \"\"")).containsExactly("* LIST (\\Noselect) \"/\" \"\"", "b OK LIST completed");
        assertThat(c.command("c LIST (SPECIAL-USE) \"\" \"*\" RETURN (SUBSCRIBED)")).containsExactly(
                "* LIST (\\HasNoChildren \\Archive \\Subscribed) \"/\" Archive",
                "* LIST (\\HasNoChildren \\Drafts \\Subscribed) \"/\" Drafts",
                "* LIST (\\HasNoChildren \\Junk \\Subscribed) \"/\" Junk",
                "* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" Sent",
                "* LIST (\\HasNoChildren \\Trash \\Subscribed) \"/\" Trash",
                "c OK LIST completed");
        assertThat(c.command("d LIST \"\" inbox")).containsExactly("* LIST (\\HasNoChildren) \"/\" INBOX", "d OK LIST completed");
    }

    @Test
    void createRenameDeleteAHierarchy() throws Exception {
        assertThat(c.command("a CREATE Work/Projects/2026")).containsExactly("a OK CREATE completed");
        assertThat(c.command("b CREATE Work/")).containsExactly("b NO [ALREADYEXISTS] Mailbox already exists");
        assertThat(c.command("c LIST \"\" %")).contains("* LIST (\\HasChildren) \"/\" Work").hasSize(8);
        assertThat(c.command("d LIST Work/ %"))
                .containsExactly("* LIST (\\HasChildren) \"/\" Work/Projects", "d OK LIST completed");
        assertThat(c.command("e RENAME Work Jobs")).containsExactly("e OK RENAME completed");
        assertThat(c.command("f LIST \"\" (Jobs* Work*)")).containsExactly(
                "* LIST (\\HasChildren) \"/\" Jobs",
                "* LIST (\\HasChildren) \"/\" Jobs/Projects",
                "* LIST (\\HasNoChildren) \"/\" Jobs/Projects/2026",
                "f OK LIST completed");
        assertThat(c.command("g0 DELETE Jobs/Projects")).containsExactly("g0 NO [HASCHILDREN] Mailbox has children; delete them first");
        assertThat(c.command("g DELETE Jobs/Projects/2026")).containsExactly("g OK DELETE completed");
        assertThat(c.command("h DELETE Jobs/Projects/2026")).containsExactly("h NO [NONEXISTENT] Mailbox does not exist");
        assertThat(c.command("i DELETE INBOX")).containsExactly("i NO [CANNOT] INBOX cannot be deleted");
        assertThat(c.command("j CREATE inbox")).containsExactly("j NO [ALREADYEXISTS] INBOX always exists");
        assertThat(c.command("k CREATE Bad*Name")).containsExactly("k BAD Unexpected arguments at \"*Name\"");
        assertThat(c.command("l CREATE Important (USE (\\Flagged))")).containsExactly("l OK CREATE completed");
        assertThat(c.command("m LIST \"\" Important"))
                .containsExactly("* LIST (\\HasNoChildren \\Flagged) \"/\" Important", "m OK LIST completed");
    }

    @Test
    void mailboxNamesAreModifiedUtf7UnlessUtf8IsEnabled() throws Exception {
        assertThat(c.command("a CREATE Entw&APw-rfe/&ZeVnLIqe-")).containsExactly("a OK CREATE completed");
        assertThat(imap.store.mailbox(user, "Entwürfe/日本語").name()).isEqualTo("Entwürfe/日本語");
        assertThat(c.command("b LIST \"\" Entw*")).containsExactly(
                "* LIST (\\HasChildren) \"/\" Entw&APw-rfe",
                "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe/&ZeVnLIqe-",
                "b OK LIST completed");
        assertThat(c.command("c CREATE Bad&Name")).containsExactly(
                "c NO [CANNOT] Mailbox name is not valid modified UTF-7: unterminated & sequence");
        assertThat(c.command("d ENABLE UTF8=ACCEPT")).containsExactly("* ENABLED UTF8=ACCEPT", "d OK ENABLE completed");
        assertThat(c.command("e LIST \"\" \"Entwürfe\"")).containsExactly(
                "* LIST (\\HasChildren) \"/\" \"Entwürfe\"", "e OK LIST completed");
    }

    @Test
    void subscriptionsLsubAndListSubscribed() throws Exception {
        assertThat(c.command("a UNSUBSCRIBE Junk")).containsExactly("a OK UNSUBSCRIBE completed");
        assertThat(c.command("b SUBSCRIBE Ghost/Child")).containsExactly("b OK SUBSCRIBE completed");
        assertThat(c.command("c LSUB \"\" *")).containsExactly(
                "* LSUB () \"/\" Archive", "* LSUB () \"/\" Drafts", "* LSUB () \"/\" Ghost/Child",
                "* LSUB () \"/\" INBOX", "* LSUB () \"/\" Sent", "* LSUB () \"/\" Trash", "c OK LSUB completed");
        assertThat(c.command("d LSUB \"\" G%")).containsExactly("* LSUB (\\Noselect) \"/\" Ghost", "d OK LSUB completed");
        assertThat(c.command("e LIST (SUBSCRIBED) \"\" G*"))
                .containsExactly("* LIST (\\NonExistent \\Subscribed) \"/\" Ghost/Child", "e OK LIST completed");
        assertThat(c.command("f LIST (SUBSCRIBED RECURSIVEMATCH) \"\" G%")).containsExactly(
                "* LIST (\\NonExistent) \"/\" Ghost (\"CHILDINFO\" (\"SUBSCRIBED\"))", "f OK LIST completed");
        assertThat(c.command("g LIST (RECURSIVEMATCH) \"\" G%"))
                .containsExactly("g BAD RECURSIVEMATCH needs another selection option");
        assertThat(c.command("h LIST (RECURSIVEMATCH REMOTE) \"\" G%"))
                .containsExactly("h BAD RECURSIVEMATCH needs another selection option");
        // RFC 5258 §3.5: no CHILDINFO when the subscribed child is listed itself (imaptest "listext")
        assertThat(c.command("i LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (Ghost Ghost/Child)")).containsExactly(
                "* LIST (\\NonExistent \\Subscribed) \"/\" Ghost/Child", "i OK LIST completed");
    }

    @Test
    void appendWithFlagsAndDateThenSelectAndStatus() throws Exception {
        String text = message("draft one");
        c.send("a APPEND Drafts (\\Draft $Todo) \"05-Nov-2026 10:00:00 +0100\" {" + text.length() + "}");
        assertThat(c.line()).isEqualTo("+ Ready for literal data");
        c.sendRaw(text + "\r\n");
        long validity = uidValidity("Drafts");
        assertThat(c.line()).isEqualTo("a OK [APPENDUID " + validity + " 1] APPEND completed");
        // LITERAL+: no continuation request
        String second = message("draft two");
        c.sendRaw("b APPEND Drafts {" + second.length() + "+}\r\n" + second + "\r\n");
        assertThat(c.line()).isEqualTo("b OK [APPENDUID " + validity + " 2] APPEND completed");

        assertThat(c.command("c STATUS Drafts (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE DELETED)")).containsExactly(
                "* STATUS Drafts (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY " + validity + " UNSEEN 2 SIZE "
                        + (text.length() + second.length()) + " DELETED 0)",
                "c OK STATUS completed");
        long modSeq = imap.store.status(user, "Drafts").highestModSeq();
        assertThat(c.command("d SELECT Drafts")).containsExactly(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo \\*)] Flags permitted",
                "* 2 EXISTS",
                "* 2 RECENT",
                "* OK [UNSEEN 1] First unseen message",
                "* OK [UIDVALIDITY " + validity + "] UIDs valid",
                "* OK [UIDNEXT 3] Predicted next UID",
                "* OK [HIGHESTMODSEQ " + modSeq + "] Highest",
                "d OK [READ-WRITE] SELECT completed");
        assertThat(c.command("e EXAMINE Drafts")).containsExactly(
                "* OK [CLOSED] Previous mailbox closed",
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo)",
                "* OK [PERMANENTFLAGS ()] Read-only mailbox",
                "* 2 EXISTS",
                "* 0 RECENT",
                "* OK [UNSEEN 1] First unseen message",
                "* OK [UIDVALIDITY " + validity + "] UIDs valid",
                "* OK [UIDNEXT 3] Predicted next UID",
                "* OK [HIGHESTMODSEQ " + modSeq + "] Highest",
                "e OK [READ-ONLY] EXAMINE completed");
        assertThat(c.command("f LIST \"\" Drafts RETURN (STATUS (MESSAGES UNSEEN))")).containsExactly(
                "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts", "* STATUS Drafts (MESSAGES 2 UNSEEN 2)",
                "f OK LIST completed");
    }

    @Test
    void multiappendStoresEveryMessageInOneGoWithConsecutiveUids() throws Exception {
        String one = message("multi one");
        String two = message("multi two");
        String three = message("multi three");
        c.send("a APPEND Drafts (\\Seen) {" + one.length() + "}");
        assertThat(c.line()).isEqualTo("+ Ready for literal data");
        c.sendRaw(one + " \"05-Nov-2026 10:00:00 +0100\" {" + two.length() + "}\r\n");
        assertThat(c.line()).isEqualTo("+ Ready for literal data");
        c.sendRaw(two + " (\\Flagged $Todo) {" + three.length() + "+}\r\n" + three + "\r\n");
        assertThat(c.line()).isEqualTo("a OK [APPENDUID " + uidValidity("Drafts") + " 1:3] APPEND completed");
        assertThat(imap.store.messages(user, "Drafts", UidSet.ALL)).extracting(MessageMeta::flags)
                .containsExactly(Set.of("\\Seen"), Set.of(), Set.of("\\Flagged", "$Todo"));
        assertThat(c.command("b STATUS Drafts (MESSAGES UIDNEXT)"))
                .containsExactly("* STATUS Drafts (MESSAGES 3 UIDNEXT 4)", "b OK STATUS completed");
    }

    @Test
    void multiappendStoresNothingWhenOneMessageCannotBeStored() throws Exception {
        String one = message("first");
        String two = message("second");
        imap.users.setQuota(user, 0, 1);
        // RFC 3502 §6.3.11: if the server fails to append any message, none is appended
        c.sendRaw("a APPEND INBOX {" + one.length() + "+}\r\n" + one + " {" + two.length() + "+}\r\n" + two + "\r\n");
        assertThat(c.line()).isEqualTo("a NO [OVERQUOTA] Quota exceeded");
        imap.users.setQuota(user, 0, 0);
        c.sendRaw("b APPEND INBOX {" + one.length() + "+}\r\n" + one + " {0+}\r\n\r\n");
        assertThat(c.line()).isEqualTo("b NO [CANNOT] An empty message cannot be stored");
        c.sendRaw("c APPEND INBOX {" + one.length() + "+}\r\n" + one + " {20000000}\r\n");
        assertThat(c.line()).isEqualTo("c NO [TOOBIG] Message too large; the limit is 10485760 bytes");
        c.sendRaw("d APPEND INBOX {" + one.length() + "+}\r\n" + one + " BOGUS {3+}\r\nabc\r\n");
        assertThat(c.line()).startsWith("d BAD ");
        assertThat(c.command("e STATUS INBOX (MESSAGES UIDNEXT)"))
                .containsExactly("* STATUS INBOX (MESSAGES 0 UIDNEXT 1)", "e OK STATUS completed");
    }

    @Test
    void appendFailuresComeBeforeTheLiteral() throws Exception {
        c.send("a APPEND Nowhere {10}");
        assertThat(c.line()).isEqualTo("a NO [TRYCREATE] Mailbox does not exist");
        c.send("b APPEND INBOX {20000000}");
        assertThat(c.line()).isEqualTo("b NO [TOOBIG] Message too large; the limit is 10485760 bytes");
        // a non-synchronizing literal the server refuses is read and dropped
        c.sendRaw("c APPEND Nowhere {5+}\r\nhello\r\n");
        assertThat(c.line()).isEqualTo("c NO [TRYCREATE] Mailbox does not exist");
        assertThat(c.command("d APPEND INBOX \"31-Feb-2026 10:00:00 +0000\" {5}"))
                .containsExactly("d BAD Invalid date-time \"31-Feb-2026 10:00:00 +0000\"");
        assertThat(c.command("e APPEND INBOX (\\Recent) {5}")).containsExactly("e BAD \\Recent cannot be set");
        assertThat(c.command("f NOOP")).containsExactly("f OK NOOP completed");
    }

    @Test
    void appendToTheSelectedMailboxAnnouncesTheNewMessage() throws Exception {
        c.command("a SELECT INBOX");
        String text = message("appended");
        c.sendRaw("b APPEND INBOX {" + text.length() + "+}\r\n" + text + "\r\n");
        assertThat(c.responsesTo("b")).containsExactly("* 1 EXISTS", "* 1 RECENT",
                "b OK [APPENDUID " + uidValidity("INBOX") + " 1] APPEND completed");
    }

    @Test
    void expungeRemovesDeletedMessagesAndClosePurgesSilently() throws Exception {
        for (int i = 1; i <= 4; i++) {
            imap.deliver(user, "INBOX", message("m" + i));
        }
        c.command("a SELECT INBOX");
        imap.store.updateFlags(user, "INBOX", UidSet.ofUids(1, 3), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        assertThat(c.command("b EXPUNGE")).containsExactly("* 3 EXPUNGE", "* 1 EXPUNGE", "b OK EXPUNGE completed");
        imap.store.updateFlags(user, "INBOX", UidSet.ofUids(2, 4), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        assertThat(c.command("c UID EXPUNGE 4")).containsExactly(
                "* 2 EXPUNGE", "* 1 FETCH (FLAGS (\\Deleted \\Recent))", "c OK EXPUNGE completed");
        assertThat(c.command("d CLOSE")).containsExactly("d OK CLOSE completed");
        assertThat(imap.store.status(user, "INBOX").messages()).isZero();
        assertThat(c.command("e EXPUNGE")).containsExactly("e BAD Command EXPUNGE is not valid in this state");
    }

    @Test
    void quotaRootAndQuota() throws Exception {
        assertThat(c.command("a GETQUOTAROOT INBOX")).containsExactly("* QUOTAROOT INBOX", "a OK GETQUOTAROOT completed");
        String limited = "quota" + System.nanoTime() + "@example.org";
        imap.users.addUser(limited, ImapFixture.PASSWORD.toCharArray(), 1024 * 1024, 100);
        imap.deliver(limited, "INBOX", message("counted"));
        try (ImapClient q = ImapClient.connect(imap.port())) {
            q.line();
            q.login(limited);
            assertThat(q.command("b GETQUOTAROOT INBOX")).containsExactly(
                    "* QUOTAROOT INBOX \"\"", "* QUOTA \"\" (STORAGE 1 1024 MESSAGE 1 100)", "b OK GETQUOTAROOT completed");
            assertThat(q.command("c GETQUOTA \"\"")).containsExactly(
                    "* QUOTA \"\" (STORAGE 1 1024 MESSAGE 1 100)", "c OK GETQUOTA completed");
            assertThat(q.command("d SETQUOTA \"\" (STORAGE 10)"))
                    .containsExactly("d NO [NOPERM] Quotas are set by the administrator");
        }
    }

    @Test
    void theSelectedMailboxMayBeRenamedBySelf() throws Exception {
        c.command("a CREATE Old/Child");
        imap.deliver(user, "Old/Child", message("kept"));
        c.command("b SELECT Old/Child");
        assertThat(c.command("c RENAME Old New")).containsExactly("c OK RENAME completed");
        assertThat(c.command("d FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]")).containsExactly(
                "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {17}\r\nSubject: kept\r\n\r\n)", "d OK FETCH completed");
        assertThat(c.command("e STATUS New/Child (MESSAGES)"))
                .containsExactly("* STATUS New/Child (MESSAGES 1)", "e OK STATUS completed");
    }
}
