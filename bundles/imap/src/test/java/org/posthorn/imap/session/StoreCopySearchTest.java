package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** STORE, COPY, MOVE and SEARCH on four messages in INBOX: exact responses. */
class StoreCopySearchTest extends ImapServerTest {

    String user;
    ImapClient c;

    static String message(String from, String subject, String body) {
        return "From: " + from + "\r\nTo: someone@example.org\r\nSubject: " + subject
                + "\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n\r\n" + body + "\r\n";
    }

    @BeforeEach
    void selectFourMessages() throws Exception {
        user = imap.newUser();
        imap.deliver(user, "INBOX", message("bob@example.com", "alpha", "first"));
        imap.deliver(user, "INBOX", message("carol@example.com", "beta", "the word zanzibar is here"));
        imap.deliver(user, "INBOX", message("Bob <bob@example.com>", "gamma", "third"));
        imap.deliver(user, "INBOX", message("dave@example.com", "delta", "x".repeat(3000)));
        c = loggedIn(user);
        c.command("s SELECT INBOX");
    }

    @AfterEach
    void close() throws Exception {
        c.close();
    }

    private long uidValidity(String mailbox) throws Exception {
        return imap.store.mailbox(user, mailbox).uidValidity();
    }

    @Test
    void storeAddsRemovesAndReplacesFlags() throws Exception {
        assertThat(c.command("a STORE 1 +FLAGS (\\Seen)"))
                .containsExactly("* 1 FETCH (FLAGS (\\Seen \\Recent))", "a OK STORE completed");
        assertThat(c.command("b STORE 1:2 +FLAGS.SILENT (\\Flagged)")).containsExactly("b OK STORE completed");
        assertThat(c.command("c UID STORE 2 -FLAGS (\\Flagged)"))
                .containsExactly("* 2 FETCH (UID 2 FLAGS (\\Recent))", "c OK STORE completed");
        assertThat(c.command("d STORE 3 FLAGS ($Label1 \\Answered)")).containsExactly(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] Flags permitted",
                "* 3 FETCH (FLAGS (\\Answered $Label1 \\Recent))", "d OK STORE completed");
        assertThat(c.command("e STORE 1 +FLAGS \\Seen"))
                .containsExactly("* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))", "e OK STORE completed");
        assertThat(c.command("f FETCH 1:4 FLAGS")).containsExactly(
                "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))", "* 2 FETCH (FLAGS (\\Recent))",
                "* 3 FETCH (FLAGS (\\Answered $Label1 \\Recent))", "* 4 FETCH (FLAGS (\\Recent))",
                "f OK FETCH completed");
        assertThat(c.command("g STORE 5 +FLAGS (\\Seen)")).containsExactly("g BAD Invalid message sequence number 5 (4 messages)");
        assertThat(c.command("h STORE 1 +FLAGS (\\Recent)")).containsExactly("h BAD \\Recent cannot be set");
    }

    @Test
    void conditionalStoreReportsModifiedMessages() throws Exception {
        long modSeq = imap.store.status(user, "INBOX").highestModSeq();
        assertThat(c.command("a STORE 1,2 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)")).containsExactly(
                "* OK [HIGHESTMODSEQ " + modSeq + "] Highest",
                "a OK [MODIFIED 1:2] Conditional STORE failed for some messages");
        assertThat(c.command("b UID STORE 2 (UNCHANGEDSINCE " + modSeq + ") +FLAGS.SILENT (\\Answered)"))
                .containsExactly("* 2 FETCH (UID 2 MODSEQ (" + (modSeq + 1) + "))", "b OK STORE completed");
        assertThat(c.command("c FETCH 2 FLAGS")).containsExactly(
                "* 2 FETCH (FLAGS (\\Answered \\Recent) MODSEQ (" + (modSeq + 1) + "))", "c OK FETCH completed");
    }

    @Test
    void readOnlyMailboxRefusesChanges() throws Exception {
        c.command("a EXAMINE INBOX");
        assertThat(c.command("b STORE 1 +FLAGS (\\Seen)")).containsExactly("b NO [READ-ONLY] Mailbox is read-only");
        assertThat(c.command("c MOVE 1 Trash")).containsExactly("c NO [READ-ONLY] Mailbox is read-only");
        assertThat(c.command("d EXPUNGE")).containsExactly("d NO [READ-ONLY] Mailbox is read-only");
        assertThat(c.command("e FETCH 1 BODY[TEXT]"))
                .containsExactly("* 1 FETCH (BODY[TEXT] {7}\r\nfirst\r\n)", "e OK FETCH completed");
    }

    @Test
    void copyAndMoveReportNewUids() throws Exception {
        assertThat(c.command("a COPY 1:2 Archive"))
                .containsExactly("a OK [COPYUID " + uidValidity("Archive") + " 1:2 1:2] COPY completed");
        assertThat(c.command("b UID COPY 99 Archive")).containsExactly("b OK COPY completed: no messages");
        assertThat(c.command("c COPY 1 Nowhere")).containsExactly("c NO [TRYCREATE] Mailbox does not exist");
        assertThat(c.command("d MOVE 2,4 Trash")).containsExactly(
                "* OK [COPYUID " + uidValidity("Trash") + " 2,4 1:2] Moved", "* 4 EXPUNGE", "* 2 EXPUNGE",
                "d OK MOVE completed");
        assertThat(c.command("e UID MOVE 3 Archive")).containsExactly(
                "* OK [COPYUID " + uidValidity("Archive") + " 3 3] Moved", "* 2 EXPUNGE", "e OK MOVE completed");
        assertThat(c.command("f COPY 1 INBOX")).containsExactly("* 2 EXISTS", "* 2 RECENT",
                "f OK [COPYUID " + uidValidity("INBOX") + " 1 5] COPY completed");
        assertThat(imap.store.status(user, "Archive").messages()).isEqualTo(3);
    }

    @Test
    void moveAndCopyIntoTheSelectedMailboxGiveNewUids() throws Exception {
        // RFC 6851 and imaptest "move": the message gets a new UID, the old one is expunged
        long inbox = uidValidity("INBOX");
        assertThat(c.command("a MOVE 1 INBOX")).containsExactly("* OK [COPYUID " + inbox + " 1 5] Moved",
                "* 1 EXPUNGE", "* 4 EXISTS", "* 4 RECENT", "a OK MOVE completed");
        assertThat(c.command("b FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")).containsExactly(
                "* 1 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {17}\r\nSubject: beta\r\n\r\n)",
                "* 2 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: gamma\r\n\r\n)",
                "* 3 FETCH (UID 4 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: delta\r\n\r\n)",
                "* 4 FETCH (UID 5 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: alpha\r\n\r\n)",
                "b OK FETCH completed");
        assertThat(c.command("c UID MOVE 3:4 INBOX")).containsExactly("* OK [COPYUID " + inbox + " 3:4 6:7] Moved",
                "* 3 EXPUNGE", "* 2 EXPUNGE", "* 4 EXISTS", "* 4 RECENT", "c OK MOVE completed");
        assertThat(c.command("d COPY 4 INBOX")).containsExactly("* 5 EXISTS", "* 5 RECENT",
                "d OK [COPYUID " + inbox + " 7 8] COPY completed");
        assertThat(c.command("e UID SEARCH ALL")).containsExactly("* SEARCH 2 5 6 7 8", "e OK UID SEARCH completed");
    }

    @Test
    void addressKeysMatchTheParsedAddresses() throws Exception {
        // RFC 9051 §6.4.4: FROM, TO, CC, BCC match the envelope's address field: comments
        // dropped, display names decoded (imaptest "search-addresses")
        imap.deliver(user, "INBOX", message("<user-from (comment)@ (comment) domain.org>", "e", "x"));
        imap.deliver(user, "INBOX", message("user-from@domain.org (=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=)", "f", "x"));
        imap.deliver(user, "INBOX", "From: a@b\r\nTo: team: x@domain.org, y@domain.org;\r\n\r\nbody\r\n");
        c.command("a NOOP");
        assertThat(c.command("b SEARCH FROM user-from@domain.org")).containsExactly("* SEARCH 5 6", "b OK SEARCH completed");
        assertThat(c.command("c SEARCH FROM comment")).containsExactly("* SEARCH", "c OK SEARCH completed");
        c.send("d SEARCH CHARSET UTF-8 FROM {11}");
        assertThat(c.line()).isEqualTo("+ Ready for literal data");
        c.send("jürgen mü");
        assertThat(c.responsesTo("d")).containsExactly("* SEARCH 6", "d OK SEARCH completed");
        assertThat(c.command("e SEARCH FROM \"Bob <bob@\"")).containsExactly("* SEARCH 3", "e OK SEARCH completed");
        assertThat(c.command("f SEARCH TO team")).containsExactly("* SEARCH 7", "f OK SEARCH completed");
        assertThat(c.command("g SEARCH TO y@DOMAIN.org")).containsExactly("* SEARCH 7", "g OK SEARCH completed");
        assertThat(c.command("h SEARCH HEADER FROM \"\"")).containsExactly("* SEARCH 1 2 3 4 5 6 7",
                "h OK SEARCH completed");
    }

    @Test
    void searchKeys() throws Exception {
        assertThat(c.command("a SEARCH ALL")).containsExactly("* SEARCH 1 2 3 4", "a OK SEARCH completed");
        assertThat(c.command("b SEARCH FROM bob")).containsExactly("* SEARCH 1 3", "b OK SEARCH completed");
        assertThat(c.command("c SEARCH BODY zanzibar")).containsExactly("* SEARCH 2", "c OK SEARCH completed");
        assertThat(c.command("d SEARCH LARGER 2000")).containsExactly("* SEARCH 4", "d OK SEARCH completed");
        assertThat(c.command("e SEARCH OR SUBJECT alpha SUBJECT delta")).containsExactly("* SEARCH 1 4", "e OK SEARCH completed");
        assertThat(c.command("f SEARCH NOT FROM bob 2:4")).containsExactly("* SEARCH 2 4", "f OK SEARCH completed");
        assertThat(c.command("g UID SEARCH UID 2:* FROM bob")).containsExactly("* SEARCH 3", "g OK UID SEARCH completed");
        assertThat(c.command("h SEARCH SEEN")).containsExactly("* SEARCH", "h OK SEARCH completed");
        assertThat(c.command("i SEARCH NEW")).containsExactly("* SEARCH 1 2 3 4", "i OK SEARCH completed");
        assertThat(c.command("j SEARCH OLD")).containsExactly("* SEARCH", "j OK SEARCH completed");
        c.send("k SEARCH CHARSET UTF-8 SUBJECT {5}");
        assertThat(c.line()).isEqualTo("+ Ready for literal data");
        c.send("gamma");
        assertThat(c.line()).isEqualTo("* SEARCH 3");
        assertThat(c.line()).isEqualTo("k OK SEARCH completed");
        assertThat(c.command("l SEARCH SINCE 1-Jan-2000 SENTBEFORE 1-Jan-2030 HEADER To someone"))
                .containsExactly("* SEARCH 1 2 3 4", "l OK SEARCH completed");
        assertThat(c.command("m SEARCH 9")).containsExactly("* SEARCH", "m OK SEARCH completed");
        c.command("n STORE 2 +FLAGS ($Label1)");
        assertThat(c.command("o SEARCH KEYWORD $Label1")).containsExactly("* SEARCH 2", "o OK SEARCH completed");
        // messages without any keyword have none of them (imaptest "search-flags")
        assertThat(c.command("p SEARCH UNKEYWORD $Label1")).containsExactly("* SEARCH 1 3 4", "p OK SEARCH completed");
    }

    @Test
    void esearchAndModSeq() throws Exception {
        assertThat(c.command("a SEARCH RETURN (MIN MAX COUNT) FROM bob"))
                .containsExactly("* ESEARCH (TAG \"a\") MIN 1 MAX 3 COUNT 2", "a OK SEARCH completed");
        assertThat(c.command("b UID SEARCH RETURN () ALL"))
                .containsExactly("* ESEARCH (TAG \"b\") UID ALL 1:4", "b OK UID SEARCH completed");
        assertThat(c.command("c SEARCH RETURN (COUNT ALL) SEEN"))
                .containsExactly("* ESEARCH (TAG \"c\") COUNT 0", "c OK SEARCH completed");
        long modSeq = imap.store.status(user, "INBOX").highestModSeq();
        // RFC 7162 §3.1: the first CONDSTORE enabling command in a selected mailbox reports HIGHESTMODSEQ
        assertThat(c.command("d SEARCH MODSEQ 1")).containsExactly("* OK [HIGHESTMODSEQ " + modSeq + "] Highest",
                "* SEARCH 1 2 3 4 (MODSEQ " + modSeq + ")", "d OK SEARCH completed");
        assertThat(c.command("e SEARCH RETURN (ALL) MODSEQ \"/flags/\\\\draft\" all 1 NOT FROM carol"))
                .containsExactly("* ESEARCH (TAG \"e\") ALL 1,3:4 MODSEQ " + modSeq, "e OK SEARCH completed");
        // RFC 7162 §3.1.5: with MIN or MAX alone, the MODSEQ of the messages returned
        long first = imap.store.messages(user, "INBOX", org.posthorn.api.store.UidSet.ofUids(1)).get(0).modSeq();
        long third = imap.store.messages(user, "INBOX", org.posthorn.api.store.UidSet.ofUids(3)).get(0).modSeq();
        assertThat(c.command("f SEARCH RETURN (MIN) MODSEQ 1 1:3"))
                .containsExactly("* ESEARCH (TAG \"f\") MIN 1 MODSEQ " + first, "f OK SEARCH completed");
        assertThat(c.command("g SEARCH RETURN (MIN MAX) MODSEQ 1 1:3"))
                .containsExactly("* ESEARCH (TAG \"g\") MIN 1 MAX 3 MODSEQ " + third, "g OK SEARCH completed");
    }

    @Test
    void examineReportsRecentMessagesWithoutClaimingThem() throws Exception {
        // RFC 3501 §6.3.2 (imaptest "select"): EXAMINE shows \Recent, the next read-write SELECT still gets it
        String other = imap.newUser();
        imap.deliver(other, "INBOX", message("bob@example.com", "one", "1"));
        imap.deliver(other, "INBOX", message("bob@example.com", "two", "2"));
        try (ImapClient o = loggedIn(other)) {
            assertThat(o.command("a EXAMINE INBOX")).contains("* 2 RECENT");
            assertThat(o.command("b FETCH 2 FLAGS")).containsExactly("* 2 FETCH (FLAGS (\\Recent))", "b OK FETCH completed");
            o.command("c CLOSE");
            assertThat(o.command("d STATUS INBOX (RECENT)")).contains("* STATUS INBOX (RECENT 2)");
            assertThat(o.command("e SELECT INBOX")).contains("* 2 RECENT");
            o.command("f CLOSE");
            assertThat(o.command("g STATUS INBOX (RECENT)")).contains("* STATUS INBOX (RECENT 0)");
        }
    }

    @Test
    void savedSearchResultsAreUsedAsDollar() throws Exception {
        assertThat(c.command("a SEARCH RETURN (SAVE) FROM bob")).containsExactly("a OK SEARCH completed");
        assertThat(c.command("b FETCH $ UID"))
                .containsExactly("* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "b OK FETCH completed");
        assertThat(c.command("c UID SEARCH RETURN (SAVE MIN) SUBJECT a"))
                .containsExactly("* ESEARCH (TAG \"c\") UID MIN 1", "c OK UID SEARCH completed");
        assertThat(c.command("d UID STORE $ +FLAGS (\\Seen)"))
                .containsExactly("* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))", "d OK STORE completed");
        assertThat(c.command("e SEARCH $ UNSEEN")).containsExactly("* SEARCH", "e OK SEARCH completed");
        assertThat(c.command("f FETCH 1,$ UID")).containsExactly("f BAD Invalid sequence set at \"$ UID\"");
        c.command("g SELECT INBOX");
        assertThat(c.command("h FETCH $ UID")).containsExactly("h OK FETCH completed");
    }

    @Test
    void imap4rev2Session() throws Exception {
        try (ImapClient rev2 = loggedIn(user)) {
            assertThat(rev2.command("a ENABLE IMAP4rev2")).containsExactly("* ENABLED IMAP4rev2", "a OK ENABLE completed");
            long modSeq = imap.store.status(user, "INBOX").highestModSeq();
            assertThat(rev2.command("b SELECT inbox")).containsExactly(
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
                    "* 4 EXISTS",
                    "* LIST () \"/\" INBOX",
                    "* OK [UIDVALIDITY " + uidValidity("INBOX") + "] UIDs valid",
                    "* OK [UIDNEXT 5] Predicted next UID",
                    "* OK [HIGHESTMODSEQ " + modSeq + "] Highest",
                    "b OK [READ-WRITE] SELECT completed");
            assertThat(rev2.command("c FETCH 1 FLAGS")).containsExactly("* 1 FETCH (FLAGS ())", "c OK FETCH completed");
            assertThat(rev2.command("d SEARCH FROM bob"))
                    .containsExactly("* ESEARCH (TAG \"d\") ALL 1,3", "d OK SEARCH completed");
            assertThat(rev2.command("e CREATE \"Entwürfe\"")).containsExactly("e OK CREATE completed");
            assertThat(rev2.command("f LIST \"\" Entw*"))
                    .containsExactly("* LIST (\\HasNoChildren) \"/\" \"Entwürfe\"", "f OK LIST completed");
        }
        // the IMAP4rev1 session still has its \Recent messages
        assertThat(c.command("g FETCH 1 FLAGS")).containsExactly("* 1 FETCH (FLAGS (\\Recent))", "g OK FETCH completed");
    }

    @Test
    void sortByKeys() throws Exception {
        assertThat(c.command("a SORT (SUBJECT) UTF-8 ALL")).containsExactly("* SORT 1 2 4 3", "a OK SORT completed");
        assertThat(c.command("b SORT (FROM) US-ASCII ALL")).containsExactly("* SORT 1 3 2 4", "b OK SORT completed");
        assertThat(c.command("c UID SORT (DISPLAYFROM) UTF-8 NOT SUBJECT delta"))
                .containsExactly("* SORT 3 1 2", "c OK UID SORT completed");
        assertThat(c.command("d SORT (REVERSE SUBJECT) UTF-8 FROM bob")).containsExactly("* SORT 3 1", "d OK SORT completed");
        assertThat(c.command("e SORT (BOGUS) UTF-8 ALL")).containsExactly("e BAD Unknown sort key BOGUS");
        assertThat(c.command("f SORT (DATE) KOI8-R ALL"))
                .containsExactly("f NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R");
    }

    @Test
    void aGroupSortsByItsName() throws Exception {
        // RFC 5256 §3: the first address's addr-mailbox, for a group its start marker's: the name (imaptest
        // "sort-addresses", "sort-display-to")
        String other = imap.newUser();
        imap.deliver(other, "INBOX", "To: zed: aa@aa.org;\r\nSubject: 1\r\n\r\nx\r\n");
        imap.deliver(other, "INBOX", "To: Bob <bob@example.org>\r\nSubject: 2\r\n\r\nx\r\n");
        imap.deliver(other, "INBOX", "To: alpha: zz@zz.org;\r\nSubject: 3\r\n\r\nx\r\n");
        try (ImapClient o = loggedIn(other)) {
            o.command("s SELECT INBOX");
            assertThat(o.command("a SORT (TO) UTF-8 ALL")).containsExactly("* SORT 3 2 1", "a OK SORT completed");
            assertThat(o.command("b SORT (DISPLAYTO) UTF-8 ALL")).containsExactly("* SORT 3 2 1", "b OK SORT completed");
        }
    }

    @Test
    void threadByReferencesAndBySubject() throws Exception {
        String other = imap.newUser();
        imap.deliver(other, "INBOX", thread("<t1@x>", null, null, "Plan", 3));
        imap.deliver(other, "INBOX", thread("<t2@x>", "<t1@x>", null, "Re: Plan", 4));
        imap.deliver(other, "INBOX", thread("<t3@x>", "<t2@x>", "<t1@x> <t2@x>", "Re: Plan", 5));
        imap.deliver(other, "INBOX", thread("<t4@x>", null, null, "Other", 2));
        try (ImapClient t = loggedIn(other)) {
            t.command("s SELECT INBOX");
            assertThat(t.command("a THREAD REFERENCES UTF-8 ALL"))
                    .containsExactly("* THREAD (4)(1 2 3)", "a OK THREAD completed");
            assertThat(t.command("b THREAD ORDEREDSUBJECT UTF-8 ALL"))
                    .containsExactly("* THREAD (4)(1 (2)(3))", "b OK THREAD completed");
            assertThat(t.command("c UID THREAD REFERENCES UTF-8 SUBJECT nothing"))
                    .containsExactly("* THREAD", "c OK UID THREAD completed");
        }
    }

    private static String thread(String id, String inReplyTo, String references, String subject, int day) {
        return "From: a@example.org\r\nSubject: " + subject + "\r\nMessage-ID: " + id + "\r\n"
                + (inReplyTo == null ? "" : "In-Reply-To: " + inReplyTo + "\r\n")
                + (references == null ? "" : "References: " + references + "\r\n")
                + "Date: " + day + " Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n";
    }
}
