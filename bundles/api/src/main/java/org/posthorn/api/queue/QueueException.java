package org.posthorn.api.queue;

/**
 * The queue could not accept a message. Nothing of it was kept.
 * {@link #isTemporary()} says whether the sender should try again later (4xx) or give up (5xx).
 */
public class QueueException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean temporary;

    public QueueException(String message, boolean temporary, Throwable cause) {
        super(message, cause);
        this.temporary = temporary;
    }

    public boolean isTemporary() {
        return temporary;
    }
}
