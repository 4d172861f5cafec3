package org.posthorn.pop3.session;

import java.time.Duration;
import java.util.Objects;

/**
 * The POP3 behaviour an admin configures, as plain values (the component converts its
 * configuration), so sessions can be tested without OSGi.
 *
 * @param plaintextAllowed  USER/PASS and AUTH PLAIN are accepted before TLS; otherwise only after
 *                          STLS or on the implicit-TLS listener (RFC 2595 §2.2 recommends refusing)
 * @param deleteAction      what QUIT does with the messages marked by DELE
 * @param authFailureDelay  how long a failed login waits before it is answered
 * @param maxErrors         protocol errors a session may make before it is closed
 * @param loginDelaySeconds RFC 2449 LOGIN-DELAY: advertised and enforced when {@code >= 0}
 * @param expire            RFC 2449 EXPIRE value to advertise ({@code NEVER} or a number of days),
 *                          or {@code null} for none
 */
public record Pop3Settings(boolean plaintextAllowed, DeleteAction deleteAction, Duration authFailureDelay,
                           int maxErrors, long loginDelaySeconds, String expire) {

    /** Secure defaults: no plaintext logins before TLS, DELE expunges, 2 s after a failed login. */
    public static final Pop3Settings DEFAULTS = new Pop3Settings(false, DeleteAction.EXPUNGE, Duration.ofSeconds(2),
            20, -1, null);

    public Pop3Settings {
        Objects.requireNonNull(deleteAction, "deleteAction");
        Objects.requireNonNull(authFailureDelay, "authFailureDelay");
        if (maxErrors <= 0) {
            throw new IllegalArgumentException("maxErrors must be positive: " + maxErrors);
        }
        if (expire != null && !expire.equals("NEVER") && !expire.matches("[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("EXPIRE must be NEVER or a positive number of days: " + expire);
        }
    }
}
