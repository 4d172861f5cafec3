package org.posthorn.api.queue;

/** The delivery state of one recipient of a queue entry. */
public enum RecipientState {
    /** Not tried yet. */
    PENDING,
    /** Tried, failed temporarily; will be tried again. */
    DEFERRED,
    /** Delivered into a local mailbox or accepted by the next server; final. */
    DELIVERED,
    /** Failed for good; the sender was (or will be) told, unless the recipient asked not to be. Final. */
    FAILED,
    /** A local address resolved into accounts and forwards, each with its own row; final. */
    EXPANDED
}
