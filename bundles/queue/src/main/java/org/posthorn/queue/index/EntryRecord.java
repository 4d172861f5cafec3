package org.posthorn.queue.index;

import java.time.Instant;
import java.util.List;

import org.posthorn.api.mail.Envelope;
import org.posthorn.api.queue.EntryState;

/**
 * A queue entry as loaded from the index.
 *
 * @param id           the queue id
 * @param envelope     sender, DSN parameters and origin; its recipients are the envelope recipients rows
 * @param size         the spool file's size
 * @param bodyOffset   where the body starts in the spool file
 * @param arrival      when the queue accepted it
 * @param nextAttempt  when the entry is due
 * @param held         held by an admin or by the queue
 * @param holdReason   why, or null
 * @param filtered     whether the filter chain has run and its result is saved
 * @param editedHeader the header as filters left it, or null if unchanged
 * @param editedLength how many bytes at the start of the spool file the edited header replaces
 * @param leaseUntil   until when a dispatcher holds it, or null
 * @param recipients   every recipient row in row order
 */
public record EntryRecord(String id, Envelope envelope, long size, long bodyOffset, Instant arrival,
                          Instant nextAttempt, boolean held, String holdReason, boolean filtered, byte[] editedHeader,
                          long editedLength, Instant leaseUntil, List<RecipientRecord> recipients) {

    /** The state an admin sees at {@code now}. */
    public EntryState state(Instant now) {
        if (held) {
            return EntryState.HELD;
        }
        if (leaseUntil != null && !leaseUntil.isBefore(now)) {
            return EntryState.DELIVERING;
        }
        return nextAttempt.isAfter(now) ? EntryState.DEFERRED : EntryState.QUEUED;
    }
}
