package org.posthorn.imap.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SearchQuery.DateComparison;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.protocol.CommandReader;
import org.posthorn.imap.protocol.ImapDates;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.SequenceSet;

/**
 * Parses SEARCH keys (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 7162 MODSEQ) straight into the
 * store's {@link SearchQuery}. Keys that depend on the session — message sequence numbers,
 * {@code RECENT}, {@code NEW}, {@code OLD} — are turned into UID sets by its {@link Messages}.
 */
public final class SearchParser {

    /** What the selected mailbox knows that the store does not. */
    public interface Messages {
        /** The UIDs of a sequence set, message sequence numbers or UIDs, within the session's view. */
        UidSet resolve(SequenceSet set, boolean uid) throws ImapException;

        /** The UIDs that are {@code \Recent} for this session. */
        UidSet recent();
    }

    private static final SearchQuery NOTHING = new SearchQuery.Not(new SearchQuery.All());
    private static final int MAX_DEPTH = 50;

    private final CommandReader reader;
    private final Messages messages;

    private SearchParser(CommandReader reader, Messages messages) {
        this.reader = reader;
        this.messages = messages;
    }

    /** The keys up to the end of the command: one or more, ANDed. */
    public static SearchQuery keys(CommandReader reader, Messages messages) throws ImapException, IOException {
        SearchParser parser = new SearchParser(reader, messages);
        List<SearchQuery> all = new ArrayList<>();
        all.add(parser.key(0));
        while (reader.consume(' ')) {
            all.add(parser.key(0));
        }
        reader.end();
        return all.size() == 1 ? all.get(0) : new SearchQuery.And(all);
    }

    /** True if the query has a MODSEQ key (the SEARCH response then carries the highest MODSEQ). */
    public static boolean usesModSeq(SearchQuery query) {
        if (query instanceof SearchQuery.ModSeq) {
            return true;
        }
        if (query instanceof SearchQuery.Not not) {
            return usesModSeq(not.query());
        }
        if (query instanceof SearchQuery.Or or) {
            return usesModSeq(or.left()) || usesModSeq(or.right());
        }
        if (query instanceof SearchQuery.And and) {
            return and.queries().stream().anyMatch(SearchParser::usesModSeq);
        }
        return false;
    }

    private SearchQuery key(int depth) throws ImapException, IOException {
        if (depth > MAX_DEPTH) {
            throw ImapException.bad("Search keys nested too deeply");
        }
        if (reader.consume('(')) {
            List<SearchQuery> list = new ArrayList<>();
            do {
                list.add(key(depth + 1));
            } while (reader.consume(' '));
            reader.expect(')');
            return list.size() == 1 ? list.get(0) : new SearchQuery.And(list);
        }
        if (reader.atSequenceSet()) {
            return uids(messages.resolve(reader.sequenceSet(), false));
        }
        String name = reader.keyword();
        switch (name) {
            case "ALL":
                return new SearchQuery.All();
            case "ANSWERED": case "DELETED": case "DRAFT": case "FLAGGED": case "SEEN":
                return flag(name);
            case "UNANSWERED": case "UNDELETED": case "UNDRAFT": case "UNFLAGGED": case "UNSEEN":
                return new SearchQuery.Not(flag(name.substring(2)));
            case "KEYWORD":
                reader.sp();
                return new SearchQuery.HasFlag(reader.flag());
            case "UNKEYWORD":
                reader.sp();
                return new SearchQuery.Not(new SearchQuery.HasFlag(reader.flag()));
            case "RECENT":
                return uids(messages.recent());
            case "NEW":
                return new SearchQuery.And(List.of(uids(messages.recent()), new SearchQuery.Not(flag("SEEN"))));
            case "OLD":
                return new SearchQuery.Not(uids(messages.recent()));
            case "BCC": case "CC": case "FROM": case "SUBJECT": case "TO":
                reader.sp();
                return new SearchQuery.Header(name, reader.astring());
            case "HEADER": {
                reader.sp();
                String field = reader.astring();
                reader.sp();
                return new SearchQuery.Header(field, reader.astring());
            }
            case "BODY":
                reader.sp();
                return new SearchQuery.Body(reader.astring());
            case "TEXT":
                reader.sp();
                return new SearchQuery.Text(reader.astring());
            case "BEFORE": case "ON": case "SINCE":
                reader.sp();
                return new SearchQuery.InternalDate(DateComparison.valueOf(name), ImapDates.date(reader));
            case "SENTBEFORE": case "SENTON": case "SENTSINCE":
                reader.sp();
                return new SearchQuery.SentDate(DateComparison.valueOf(name.substring(4)), ImapDates.date(reader));
            case "LARGER":
                reader.sp();
                return new SearchQuery.Larger(reader.number());
            case "SMALLER":
                reader.sp();
                return new SearchQuery.Smaller(reader.number());
            case "UID":
                reader.sp();
                return uids(messages.resolve(reader.sequenceSet(), true));
            case "NOT":
                reader.sp();
                return new SearchQuery.Not(key(depth + 1));
            case "OR": {
                reader.sp();
                SearchQuery left = key(depth + 1);
                reader.sp();
                return new SearchQuery.Or(left, key(depth + 1));
            }
            case "MODSEQ":
                return modSeq();
            default:
                throw ImapException.bad("Unknown search key " + name);
        }
    }

    private static SearchQuery flag(String name) {
        return new SearchQuery.HasFlag("\\" + name.charAt(0) + name.substring(1).toLowerCase(java.util.Locale.ROOT));
    }

    private static SearchQuery uids(UidSet set) {
        return set.isEmpty() ? NOTHING : new SearchQuery.Uids(set);
    }

    /** RFC 7162 §3.1.5: {@code MODSEQ [entry-name entry-type-req] mod-sequence-valzer}. */
    private SearchQuery modSeq() throws ImapException, IOException {
        reader.sp();
        if (reader.peek() == '"') {
            reader.string();
            reader.sp();
            String type = reader.keyword();
            if (!type.equals("PRIV") && !type.equals("SHARED") && !type.equals("ALL")) {
                throw ImapException.bad("Invalid MODSEQ entry type " + type);
            }
            reader.sp();
        }
        return new SearchQuery.ModSeq(reader.number());
    }
}
