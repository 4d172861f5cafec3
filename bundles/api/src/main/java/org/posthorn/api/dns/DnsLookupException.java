package org.posthorn.api.dns;

/** A DNS question that got no usable answer. */
public final class DnsLookupException extends Exception {

    /** Whether asking again later may help. */
    public enum Kind {
        /** NXDOMAIN: the name does not exist (permanent). */
        NO_SUCH_DOMAIN,
        /** Timeout, SERVFAIL, REFUSED or a network error (temporary). */
        TEMPORARY
    }

    private final Kind kind;

    public DnsLookupException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public DnsLookupException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
