package org.posthorn.api.store;

import java.time.LocalDate;
import java.util.List;

/**
 * A search over one mailbox: the RFC 9051 §6.4.4 keys without message sequence numbers
 * (the IMAP session turns those into UIDs first). Text matches are case-insensitive
 * substring matches.
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
    record ModSeqAbove(long modSeq) implements SearchQuery { }
    record Not(SearchQuery query) implements SearchQuery { }
    record And(List<SearchQuery> queries) implements SearchQuery {
        public And { queries = List.copyOf(queries); }
    }
    record Or(SearchQuery left, SearchQuery right) implements SearchQuery { }

    enum DateComparison { BEFORE, ON, SINCE }
}
