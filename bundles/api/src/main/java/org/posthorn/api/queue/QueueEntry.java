package org.posthorn.api.queue;

import java.time.Instant;
import java.util.List;

import org.posthorn.api.mail.MailAddress;

/**
 * A snapshot of one queue entry for administrators.
 *
 * @param id          the queue id
 * @param sender      the envelope sender, or {@code null} for the null sender (bounces)
 * @param arrival     when the queue accepted the message
 * @param size        the stored message size in bytes
 * @param state       the entry's state at the time of the snapshot
 * @param nextAttempt when a dispatcher will next try the recipients still waiting
 * @param holdReason  why the entry is held (an admin's reason, or the queue's own, e.g. a missing
 *                    spool file), or {@code null}
 * @param recipients  every recipient row, in order: the envelope's recipients, then the accounts
 *                    and forwards a local recipient was expanded into
 */
public record QueueEntry(String id, MailAddress sender, Instant arrival, long size, EntryState state,
                         Instant nextAttempt, String holdReason, List<RecipientStatus> recipients) {

    public QueueEntry {
        recipients = List.copyOf(recipients);
    }
}
