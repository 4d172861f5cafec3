package org.posthorn.api.queue;

/**
 * A queue operation failed. For {@link MailQueue#enqueue} this means the queue could not
 * accept the message and nothing of it was kept. {@link #isTemporary()} says whether trying
 * again later may succeed (SMTP 4xx) or not (5xx).
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
