package org.posthorn.api.queue;

/** The state of a queue entry as an administrator sees it. */
public enum EntryState {
    /** Due for delivery now; a dispatcher picks it up as soon as a worker is free. */
    QUEUED,
    /** A dispatcher holds the entry's lease and is delivering it. */
    DELIVERING,
    /** Waiting for the next retry of recipients that could not be delivered yet. */
    DEFERRED,
    /** Held by an administrator (or by the queue after an error it cannot fix alone); not delivered until released. */
    HELD
}
