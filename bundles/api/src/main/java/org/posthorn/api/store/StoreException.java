package org.posthorn.api.store;

/**
 * A store operation failed. {@link #reason()} lets the protocol pick its reply: IMAP
 * {@code [NONEXISTENT]}, {@code [ALREADYEXISTS]}, {@code [OVERQUOTA]}, SMTP 452/552,
 * or "try again later" for {@link Reason#UNAVAILABLE}.
 */
public class StoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        NO_SUCH_MAILBOX, NO_SUCH_ACCOUNT, NO_SUCH_MESSAGE, ALREADY_EXISTS, NOT_ALLOWED, QUOTA_EXCEEDED,
        INVALID_NAME, UNAVAILABLE
    }

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        this(reason, message, null);
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** True if trying again later may succeed. */
    public boolean isTemporary() {
        return reason == Reason.UNAVAILABLE;
    }
}
