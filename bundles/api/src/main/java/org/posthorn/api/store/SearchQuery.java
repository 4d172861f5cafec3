package org.posthorn.api.store;

import java.time.LocalDate;
import java.util.List;

/**
 * A search over one mailbox: the RFC 9051 §6.4.4 keys without message sequence numbers
 * (the IMAP session turns those into UIDs first, and {@code RECENT}/{@code NEW} into UIDs
 * from its snapshot: the store keeps no {@code \Recent} flag, so {@code HasFlag("\\Recent")}
 * never matches). Text matches are case-insensitive substring matches on decoded text:
 * RFC 2047 encoded words in header fields, base64/quoted-printable and the charset of
 * text parts in bodies. Non-text parts (attachments) are not searched.
 *
 * <p>{@code FROM}, {@code TO}, {@code CC}, {@code BCC} and {@code SUBJECT} are
 * {@link Header} keys and run in SQL on values stored at delivery (the first 4000
 * characters of each field); other header fields, {@code BODY} and {@code TEXT} read the
 * message. Dates of {@link InternalDate} are days in UTC; {@link SentDate} uses the date as
 * written in the Date field, or the internal date if that field is missing or unreadable.
 */
public sealed interface SearchQuery {

    record All() implements SearchQuery { }
    record HasFlag(String flag) implements SearchQuery { }
    record Uids(UidSet uids) implements SearchQuery { }
    /** Internal date compared by day: {@code before}, {@code on} or {@code since} (inclusive). */
    record InternalDate(DateComparison comparison, LocalDate date) implements SearchQuery { }
    /** The Date: header compared by day (SENTBEFORE, SENTON, SENTSINCE). */
    record SentDate(DateComparison comparison, LocalDate date) implements SearchQuery { }
    record Larger(long size) implements SearchQuery { }
    record Smaller(long size) implements SearchQuery { }
    /** A header field contains {@code text}; an empty text matches every message having the field. */
    record Header(String field, String text) implements SearchQuery { }
    record Body(String text) implements SearchQuery { }
    /** Header or body contains the text (TEXT). */
    record Text(String text) implements SearchQuery { }
    /** RFC 7162 MODSEQ: messages whose MODSEQ is equal to or greater than {@code modSeq}. */
    record ModSeq(long modSeq) implements SearchQuery { }
    record Not(SearchQuery query) implements SearchQuery { }
    record And(List<SearchQuery> queries) implements SearchQuery {
        public And { queries = List.copyOf(queries); }
    }
    record Or(SearchQuery left, SearchQuery right) implements SearchQuery { }

    enum DateComparison { BEFORE, ON, SINCE }
}
