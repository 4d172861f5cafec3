package org.posthorn.imap.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Base subjects, sent dates and the two threading algorithms of RFC 5256, without a server. */
class ThreadsTest {

    @Test
    void baseSubjectDropsReplyAndForwardMarkers() {
        assertThat(BaseSubject.of("Re: Fwd: [list] Hello   world (fwd)")).isEqualTo(new BaseSubject("HELLO WORLD", true));
        assertThat(BaseSubject.of("[Fwd: Re: test]")).isEqualTo(new BaseSubject("TEST", true));
        assertThat(BaseSubject.of("RE [ml]: report")).isEqualTo(new BaseSubject("REPORT", true));
        assertThat(BaseSubject.of("[only a blob]")).isEqualTo(new BaseSubject("[ONLY A BLOB]", false));
        assertThat(BaseSubject.of("=?UTF-8?Q?Re:_caf=C3=A9?= =?UTF-8?B?IHRpbWU=?=")).isEqualTo(new BaseSubject("CAFÉ TIME", true));
        assertThat(BaseSubject.of("Redundant: not a reply")).isEqualTo(new BaseSubject("REDUNDANT: NOT A REPLY", false));
        assertThat(BaseSubject.of(null)).isEqualTo(new BaseSubject("", false));
    }

    @Test
    void sentDatesInCurrentAndObsoleteForms() {
        assertThat(SentDate.parse("Tue, 3 Nov 2026 09:15:00 +0100")).isEqualTo(Instant.parse("2026-11-03T08:15:00Z"));
        assertThat(SentDate.parse("3 Nov 26 09:15 EST")).isEqualTo(Instant.parse("2026-11-03T14:15:00Z"));
        assertThat(SentDate.parse("Mon, 01 Jan 99 00:00:00 GMT")).isEqualTo(Instant.parse("1999-01-01T00:00:00Z"));
        assertThat(SentDate.parse("yesterday")).isNull();
        assertThat(SentDate.parse("31 Feb 2026 10:00 +0000")).isNull();
    }

    private static SortKeys message(long number, String subject, int day, String id, String... references) {
        Instant sent = Instant.parse("2026-11-01T00:00:00Z").plusSeconds(86_400L * day);
        return new SortKeys(number, 100, sent, sent, BaseSubject.of(subject), "", "", "", "", "", id,
                List.of(references));
    }

    @Test
    void orderedSubjectGroupsBySubjectUnderTheFirstMessage() {
        List<SortKeys> messages = List.of(message(1, "lunch", 3, null), message(2, "Re: lunch", 4, null),
                message(3, "report", 1, null), message(4, "Re: report", 2, null), message(5, "RE: report", 5, null),
                message(6, "alone", 6, null));
        assertThat(Threads.orderedSubject(messages)).isEqualTo("(3 (4)(5))(1 2)(6)");
    }

    @Test
    void referencesBuildsTheTreeAndJoinsBySubject() {
        List<SortKeys> messages = List.of(
                message(1, "plan", 1, "<a@x>"),
                message(2, "Re: plan", 2, "<b@x>", "<a@x>"),
                message(3, "Re: plan", 3, "<c@x>", "<a@x>", "<b@x>"),
                message(4, "Re: plan", 4, "<d@x>", "<a@x>"),
                // parent never seen, two children: kept under a dummy
                message(5, "Re: lost", 5, "<e@x>", "<gone@x>"),
                message(6, "Re: lost", 6, "<f@x>", "<gone@x>"),
                // no references, same subject as a thread: joined to it
                message(7, "Re: plan", 7, "<g@x>"),
                // a loop in references is ignored
                message(8, "other", 8, "<h@x>", "<h@x>"));
        assertThat(Threads.references(messages)).isEqualTo("(1 (2 3)(4)(7))((5)(6))(8)");
    }

    @Test
    void aMessageWhoseReferencesWouldMakeALoopLosesItsPresumedParent() {
        // imaptest "thread": b names a then c, so a is c's presumed parent; c names b, which is below it:
        // c's presumed link to a is broken and the loop is not made
        List<SortKeys> messages = List.of(message(1, "x", 3, "<a@b>"), message(2, "y", 1, "<b@b>", "<a@b>", "<c@b>"),
                message(3, "z", 2, "<c@b>", "<b@b>"));
        assertThat(Threads.references(messages)).isEqualTo("(3 2)(1)");
    }

    @Test
    void messageIdsAreFoundInHeaderValues() {
        assertThat(Threads.messageIds("References: <a@x>\r\n <b@y> junk <c@z>\r\n\r\n"))
                .containsExactly("<a@x>", "<b@y>", "<c@z>");
        assertThat(Threads.messageIds(null)).isEmpty();
    }
}
