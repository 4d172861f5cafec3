package org.posthorn.api.queue;

/**
 * Which entries {@link QueueAdmin#list} returns. Criteria that are {@code null} match everything;
 * given criteria must all match.
 *
 * @param sender    text the sender address contains (case-insensitive); {@code "<>"} matches
 *                  only the null sender
 * @param recipient text one of the recipient addresses contains (case-insensitive)
 * @param state     the entry state
 * @param limit     the most entries to return, at least 1
 */
public record QueueQuery(String sender, String recipient, EntryState state, int limit) {

    /** The default page size of {@link #all()}. */
    public static final int DEFAULT_LIMIT = 1000;

    public QueueQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    /** Every entry, up to {@link #DEFAULT_LIMIT}. */
    public static QueueQuery all() {
        return new QueueQuery(null, null, null, DEFAULT_LIMIT);
    }
}
