package org.posthorn.queue.index;

/** Why a recipient waits, which decides when it is tried again and whether it may bounce. */
public enum ErrorKind {
    /** An ordinary temporary failure: the retry schedule applies, and the lifetime limit. */
    TEMPORARY,
    /** The mailbox is over quota: retried on schedule, bounced once the quota grace has passed. */
    QUOTA,
    /**
     * Posthorn itself could not deliver (mailbox store or user directory stopped, remote delivery
     * not running): retried soon and when the service returns, never bounced for this.
     */
    UNAVAILABLE
}
