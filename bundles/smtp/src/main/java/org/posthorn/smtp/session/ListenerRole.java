package org.posthorn.smtp.session;

import java.util.Locale;

import org.posthorn.net.TlsMode;

/** What a listener is for, which decides whether AUTH is required and who may relay. */
public enum ListenerRole {
    /** Port 25: mail for local domains from anyone; relaying only after AUTH (if offered). */
    MX,
    /** Port 587 (RFC 6409): STARTTLS, then AUTH before MAIL. */
    SUBMISSION,
    /** Port 465 (RFC 8314): implicit TLS, then AUTH before MAIL. */
    SUBMISSIONS;

    /** The listener name in logs, counters and the {@code Received:} header. */
    public String listenerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of the listener with this name. */
    public static ListenerRole of(String listenerName) {
        return valueOf(listenerName.toUpperCase(Locale.ROOT));
    }

    /** Port 465 speaks TLS from the first byte; the others offer STARTTLS. */
    public TlsMode tlsMode() {
        return this == SUBMISSIONS ? TlsMode.IMPLICIT : TlsMode.STARTTLS;
    }

    boolean requiresAuth() {
        return this != MX;
    }
}
