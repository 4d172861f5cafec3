package org.posthorn.api.user;

/** An administrative operation was refused or failed; {@link #reason()} says why. */
public class UserAdminException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Reason { NO_SUCH_DOMAIN, NO_SUCH_ACCOUNT, NO_SUCH_ALIAS, ALREADY_EXISTS, NOT_EMPTY, INVALID, UNAVAILABLE }

    private final Reason reason;

    public UserAdminException(Reason reason, String message) {
        this(reason, message, null);
    }

    public UserAdminException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
