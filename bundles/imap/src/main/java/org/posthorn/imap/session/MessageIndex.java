package org.posthorn.imap.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.posthorn.api.store.UidSet;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.SequenceSet;

/**
 * The messages of the selected mailbox as this session's client knows them: message sequence
 * number n is the n-th UID (RFC 9051 §2.3.1.2). It changes only when the client is told
 * (EXISTS, EXPUNGE, VANISHED), so a message another session expunged keeps its number until
 * then. Used on the connection's thread only.
 */
final class MessageIndex {

    private long[] uids;
    private int count;

    MessageIndex(UidSet all) {
        uids = all.toArray();
        count = uids.length;
    }

    int count() {
        return count;
    }

    /** The UID of message sequence number {@code msn} (1-based). */
    long uid(int msn) {
        return uids[msn - 1];
    }

    /** The message sequence number of {@code uid}, or 0 if the client does not know that UID. */
    int msn(long uid) {
        int i = Arrays.binarySearch(uids, 0, count, uid);
        return i >= 0 ? i + 1 : 0;
    }

    /** The largest UID known, 0 if none. */
    long lastUid() {
        return count == 0 ? 0 : uids[count - 1];
    }

    /** A new message, with a UID above every known one. */
    void add(long uid) {
        if (uid <= lastUid()) {
            return;
        }
        if (count == uids.length) {
            uids = Arrays.copyOf(uids, Math.max(16, count * 2));
        }
        uids[count++] = uid;
    }

    /**
     * Removes the known UIDs in {@code set}.
     *
     * @return their message sequence numbers before the removal, ascending
     */
    int[] removeAll(UidSet set) {
        int[] removed = new int[Math.min(count, (int) Math.min(Integer.MAX_VALUE, set.size()))];
        int n = 0;
        int kept = 0;
        List<UidSet.Range> ranges = set.ranges();
        int r = 0;
        for (int i = 0; i < count; i++) {
            while (r < ranges.size() && ranges.get(r).last() < uids[i]) {
                r++;
            }
            if (r < ranges.size() && ranges.get(r).first() <= uids[i]) {
                removed[n++] = i + 1;
            } else {
                uids[kept++] = uids[i];
            }
        }
        count = kept;
        return Arrays.copyOf(removed, n);
    }

    /** Every known UID. */
    UidSet all() {
        List<UidSet.Range> ranges = new ArrayList<>();
        runs(0, count, ranges);
        return UidSet.of(ranges);
    }

    /** The known UIDs that are also in {@code set}. */
    UidSet within(UidSet set) {
        List<UidSet.Range> ranges = new ArrayList<>();
        for (UidSet.Range r : set.ranges()) {
            collect(r.first(), r.last(), ranges);
        }
        return UidSet.of(ranges);
    }

    /**
     * The known UIDs of a UID set. {@code *} is the largest UID known, so {@code 7:*} names it
     * even when it is below 7 (RFC 9051 §6.4.9); UIDs not known are left out.
     */
    UidSet fromUids(SequenceSet set) {
        if (count == 0) {
            return UidSet.EMPTY;
        }
        List<UidSet.Range> ranges = new ArrayList<>();
        for (SequenceSet.Range r : set.resolved(lastUid())) {
            collect(r.first(), r.last(), ranges);
        }
        return UidSet.of(ranges);
    }

    /**
     * The UIDs of message sequence numbers.
     *
     * @param strict refuse numbers beyond the last message (FETCH, STORE, COPY); otherwise
     *               they are ignored (SEARCH)
     */
    UidSet fromMsns(SequenceSet set, boolean strict) throws ImapException {
        if (count == 0) {
            if (strict) {
                throw ImapException.bad("No messages: invalid message sequence number");
            }
            return UidSet.EMPTY;
        }
        List<UidSet.Range> ranges = new ArrayList<>();
        for (SequenceSet.Range r : set.resolved(count)) {
            if (r.last() > count) {
                if (strict) {
                    throw ImapException.bad("Invalid message sequence number " + r.last() + " (" + count + " messages)");
                }
                if (r.first() > count) {
                    continue;
                }
            }
            int from = (int) r.first() - 1;
            int to = (int) Math.min(r.last(), count);
            runs(from, to, ranges);
        }
        return UidSet.of(ranges);
    }

    private void collect(long first, long last, List<UidSet.Range> ranges) {
        int from = Arrays.binarySearch(uids, 0, count, first);
        from = from >= 0 ? from : -from - 1;
        int to = Arrays.binarySearch(uids, 0, count, last);
        to = to >= 0 ? to + 1 : -to - 1;
        if (from < to) {
            runs(from, to, ranges);
        }
    }

    /** Ranges of consecutive UIDs among {@code uids[from, to)}, added to {@code ranges}. */
    private void runs(int from, int to, List<UidSet.Range> ranges) {
        int i = from;
        while (i < to) {
            int j = i;
            while (j + 1 < to && uids[j + 1] == uids[j] + 1) {
                j++;
            }
            ranges.add(new UidSet.Range(uids[i], uids[j]));
            i = j + 1;
        }
    }
}
