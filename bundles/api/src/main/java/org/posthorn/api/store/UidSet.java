package org.posthorn.api.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of UIDs as sorted, non-overlapping, non-adjacent closed ranges. Immutable.
 * {@link #ALL} stands for every UID (IMAP {@code 1:*}).
 */
public final class UidSet {

    /** A closed range {@code [first, last]}, {@code first <= last}. */
    public record Range(long first, long last) {
        public Range {
            if (first < 1 || last < first) {
                throw new IllegalArgumentException("bad UID range " + first + ":" + last);
            }
        }
    }

    public static final UidSet EMPTY = new UidSet(List.of());
    public static final UidSet ALL = new UidSet(List.of(new Range(1, Long.MAX_VALUE)));

    private final List<Range> ranges;

    private UidSet(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** The set of the given ranges, in any order, overlaps merged. */
    public static UidSet of(List<Range> ranges) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort((a, b) -> Long.compare(a.first(), b.first()));
        List<Range> merged = new ArrayList<>();
        for (Range r : sorted) {
            Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r.first() <= last.last() + 1 && last.last() != Long.MAX_VALUE) {
                merged.set(merged.size() - 1, new Range(last.first(), Math.max(last.last(), r.last())));
            } else if (last != null && last.last() == Long.MAX_VALUE) {
                break;
            } else {
                merged.add(r);
            }
        }
        return merged.isEmpty() ? EMPTY : new UidSet(List.copyOf(merged));
    }

    /** The set of single UIDs. */
    public static UidSet ofUids(long... uids) {
        List<Range> list = new ArrayList<>(uids.length);
        for (long uid : uids) {
            list.add(new Range(uid, uid));
        }
        return of(list);
    }

    public List<Range> ranges() {
        return ranges;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /**
     * The number of UIDs in the set; {@link Long#MAX_VALUE} if it is open-ended like
     * {@link #ALL}.
     */
    public long size() {
        long n = 0;
        for (Range r : ranges) {
            if (r.last() == Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            n += r.last() - r.first() + 1;
        }
        return n;
    }

    /** The smallest UID, or 0 if empty. */
    public long first() {
        return ranges.isEmpty() ? 0 : ranges.get(0).first();
    }

    /** The largest UID ({@link Long#MAX_VALUE} if open-ended), or 0 if empty. */
    public long last() {
        return ranges.isEmpty() ? 0 : ranges.get(ranges.size() - 1).last();
    }

    /**
     * The UIDs in ascending order, e.g. to map message sequence numbers.
     *
     * @throws IllegalStateException if the set is open-ended or holds more than 2^31 UIDs
     */
    public long[] toArray() {
        long size = size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("UID set too large for an array: " + this);
        }
        long[] result = new long[(int) size];
        int i = 0;
        for (Range r : ranges) {
            for (long uid = r.first(); uid <= r.last(); uid++) {
                result[i++] = uid;
            }
        }
        return result;
    }

    /** The set of the given UIDs, which must be ascending (as read from an index); cheaper than {@link #ofUids}. */
    public static UidSet ofSorted(long[] uids, int count) {
        List<Range> list = new ArrayList<>();
        int i = 0;
        while (i < count) {
            long first = uids[i];
            long last = first;
            while (i + 1 < count && uids[i + 1] <= last + 1) {
                last = Math.max(last, uids[++i]);
            }
            list.add(new Range(first, last));
            i++;
        }
        return list.isEmpty() ? EMPTY : new UidSet(List.copyOf(list));
    }

    public boolean contains(long uid) {
        for (Range r : ranges) {
            if (uid < r.first()) {
                return false;
            }
            if (uid <= r.last()) {
                return true;
            }
        }
        return false;
    }

    /** IMAP sequence-set syntax, e.g. {@code 1:3,7,9:*}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r.first());
            if (r.last() != r.first()) {
                sb.append(':').append(r.last() == Long.MAX_VALUE ? "*" : Long.toString(r.last()));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UidSet other && ranges.equals(other.ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }
}
