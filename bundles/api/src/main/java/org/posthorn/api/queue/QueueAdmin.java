package org.posthorn.api.queue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What an administrator (the shell, a management console) may do with the queue: look at the
 * entries and steer their delivery.
 *
 * <p>An entry is one accepted message with its recipients; it leaves the queue when every
 * recipient is delivered or has failed and the notifications owed to the sender are queued.
 * Entries are named by the queue id that {@link MailQueue#enqueue} returned.
 *
 * <p>Thread-safe. Every method reads or changes the queue's database directly, so several
 * nodes sharing one database see the same queue. An entry that a dispatcher is delivering at
 * this moment ({@link EntryState#DELIVERING}) cannot be held, retried, released, bounced or
 * deleted until that attempt ends: those methods then return {@code false}. A method throws
 * a temporary {@link QueueException} when the database cannot be reached.
 */
@ProviderType
public interface QueueAdmin {

    /** The entries matching {@code query}, oldest arrival first, at most {@link QueueQuery#limit()}. */
    List<QueueEntry> list(QueueQuery query) throws QueueException;

    /** One entry with the state of each recipient, or empty if there is no such entry. */
    Optional<QueueEntry> entry(String id) throws QueueException;

    /**
     * Makes every recipient of the entry that waits for a retry due now and wakes the dispatcher.
     * A held entry stays held.
     *
     * @return false if there is no such entry or it is being delivered
     */
    boolean retryNow(String id) throws QueueException;

    /** {@link #retryNow} for every entry that is not being delivered; returns how many entries were made due. */
    int retryAll() throws QueueException;

    /**
     * Stops delivery of the entry until {@link #release}: once this returned true, no attempt
     * starts until then. The entry still ages: its lifetime is counted from arrival.
     *
     * @param reason shown in listings; may be null
     * @return false if there is no such entry, or it is being delivered: too late to stop that
     *         attempt, which may deliver it (ask again when it ended, if the entry is still there)
     */
    boolean hold(String id, String reason) throws QueueException;

    /** Lets a held entry be delivered again; recipients whose retry time has passed are due at once. */
    boolean release(String id) throws QueueException;

    /**
     * Removes the entry and its message without delivering it further and without telling the
     * sender. Recipients already delivered stay delivered.
     */
    boolean delete(String id) throws QueueException;

    /**
     * Gives up on every recipient of the entry not yet delivered: each fails with status 5.0.0 and
     * {@code reason}, and the sender gets a bounce as for any other failure (unless the message
     * came from the null sender or the recipient asked for NOTIFY=NEVER).
     */
    boolean bounce(String id, String reason) throws QueueException;

    /** The number of entries in each state; every state is present, with 0 if none. */
    Map<EntryState, Long> counts() throws QueueException;
}
