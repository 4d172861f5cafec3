package org.posthorn.imap.protocol;

import java.util.List;

/**
 * A sequence set as the client wrote it (RFC 9051 §9 {@code sequence-set}): ranges of message
 * sequence numbers or UIDs, where {@link #STAR} stands for {@code *} (the largest number in
 * use) and a range may be written backwards ({@code 5:2} is {@code 2:5}); or {@code $}
 * ({@link #SAVED}, RFC 5182), the result the last SEARCH saved. Turning it into UIDs needs the
 * selected mailbox (see the session's message index).
 */
public record SequenceSet(List<Range> ranges, boolean saved) {

    /** {@code $}: the saved search result. */
    public static final SequenceSet SAVED = new SequenceSet(List.of(), true);

    /** The value of {@code *}. */
    public static final long STAR = -1;

    /** One element, {@code first == last} for a single number; either may be {@link #STAR}. */
    public record Range(long first, long last) {
    }

    public SequenceSet {
        ranges = List.copyOf(ranges);
    }

    /** Ranges as written. */
    public SequenceSet(List<Range> ranges) {
        this(ranges, false);
    }

    /** The ranges with {@code *} replaced by {@code star} and each range put low to high. */
    public List<Range> resolved(long star) {
        return ranges.stream().map(r -> {
            long a = r.first() == STAR ? star : r.first();
            long b = r.last() == STAR ? star : r.last();
            return new Range(Math.min(a, b), Math.max(a, b));
        }).toList();
    }

    @Override
    public String toString() {
        if (saved) {
            return "$";
        }
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r.first() == STAR ? "*" : Long.toString(r.first()));
            if (r.last() != r.first()) {
                sb.append(':').append(r.last() == STAR ? "*" : Long.toString(r.last()));
            }
        }
        return sb.toString();
    }
}
