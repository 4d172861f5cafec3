package org.posthorn.imap.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.imap.fetch.FetchItem;
import org.posthorn.imap.sort.SortOrder;

/**
 * A parsed command, without its tag. Mailbox names are decoded (Unicode, {@code /} as the
 * hierarchy delimiter). Commands whose data follows in an exchange (APPEND's message literal,
 * AUTHENTICATE's responses, IDLE's {@code DONE}) carry what precedes it.
 */
public sealed interface Command {

    record Capability() implements Command { }

    record Noop() implements Command { }

    record Logout() implements Command { }

    record StartTls() implements Command { }

    record Login(String user, String password) implements Command { }

    /** {@code initialResponse} is the SASL-IR (RFC 4959) base64 text, {@code "="} for empty, or null. */
    record Authenticate(String mechanism, String initialResponse) implements Command { }

    record Id() implements Command { }

    record Enable(List<String> capabilities) implements Command {
        public Enable {
            capabilities = List.copyOf(capabilities);
        }
    }

    record Namespace() implements Command { }

    /** RFC 7162 §3.2.5 QRESYNC select parameter; {@code knownUids} may be null. */
    record Qresync(long uidValidity, long modSeq, SequenceSet knownUids) { }

    /** SELECT ({@code readOnly == false}) or EXAMINE, with CONDSTORE/QRESYNC parameters. */
    record Select(String mailbox, boolean readOnly, boolean condstore, Qresync qresync) implements Command { }

    record Create(String mailbox, Set<SpecialUse> specialUse) implements Command {
        public Create {
            specialUse = Set.copyOf(specialUse);
        }
    }

    record Delete(String mailbox) implements Command { }

    record Rename(String from, String to) implements Command { }

    record Subscribe(String mailbox, boolean subscribe) implements Command { }

    /**
     * LIST (RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE) or LSUB.
     *
     * @param selection     selection options, upper case (SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE)
     * @param returnOptions return options, upper case (SUBSCRIBED, CHILDREN, SPECIAL-USE, STATUS)
     * @param statusItems   the STATUS items of RETURN (STATUS (...)), upper case
     */
    record ListMailboxes(boolean lsub, Set<String> selection, String reference, List<String> patterns,
                         Set<String> returnOptions, List<String> statusItems) implements Command {
        public ListMailboxes {
            selection = Set.copyOf(selection);
            patterns = List.copyOf(patterns);
            returnOptions = Set.copyOf(returnOptions);
            statusItems = List.copyOf(statusItems);
        }
    }

    record Status(String mailbox, List<String> items) implements Command {
        public Status {
            items = List.copyOf(items);
        }
    }

    /** APPEND up to its message literal, which the handler reads from the connection; {@code date} may be null. */
    record Append(String mailbox, Set<String> flags, Instant date, CommandReader.Literal literal) implements Command {
        public Append {
            flags = Set.copyOf(flags);
        }
    }

    record Check() implements Command { }

    record Close() implements Command { }

    record Unselect() implements Command { }

    /** EXPUNGE ({@code uids == null}) or UID EXPUNGE. */
    record Expunge(SequenceSet uids) implements Command { }

    /**
     * FETCH or UID FETCH.
     *
     * @param changedSince RFC 7162 CHANGEDSINCE, or -1
     * @param vanished     RFC 7162 VANISHED modifier (UID FETCH with QRESYNC)
     */
    record Fetch(boolean uid, SequenceSet set, List<FetchItem> items, long changedSince, boolean vanished)
            implements Command {
        public Fetch {
            items = List.copyOf(items);
        }
    }

    /** STORE or UID STORE; {@code unchangedSince} is -1 without the CONDSTORE modifier. */
    record Store(boolean uid, SequenceSet set, long unchangedSince, FlagUpdate.Mode mode, boolean silent,
                 Set<String> flags) implements Command {
        public Store {
            flags = Set.copyOf(flags);
        }
    }

    /** COPY, MOVE and their UID forms. */
    record Transfer(boolean uid, boolean move, SequenceSet set, String mailbox) implements Command { }

    /**
     * SEARCH or UID SEARCH; {@code returnOptions} is null for a plain SEARCH and the RFC 4731
     * ESEARCH options (MIN, MAX, COUNT, ALL; empty means ALL) and SAVE (RFC 5182) otherwise.
     */
    record Search(boolean uid, SearchQuery query, Set<String> returnOptions) implements Command { }

    /** SORT or UID SORT (RFC 5256, RFC 5957). */
    record Sort(boolean uid, List<SortOrder.Criterion> criteria, SearchQuery query) implements Command {
        public Sort {
            criteria = List.copyOf(criteria);
        }
    }

    /** THREAD or UID THREAD (RFC 5256) with ORDEREDSUBJECT or REFERENCES. */
    record Threading(boolean uid, String algorithm, SearchQuery query) implements Command { }

    record Idle() implements Command { }

    record GetQuotaRoot(String mailbox) implements Command { }

    record GetQuota(String root) implements Command { }

    record SetQuota(String root) implements Command { }
}
