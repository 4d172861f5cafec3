package org.posthorn.queue.remote;

/** Whether delivery to a domain's MX hosts must be encrypted. */
public enum TlsPolicy {
    /**
     * RFC 7435 opportunistic security: STARTTLS whenever the server offers it, any certificate
     * accepted (an unauthenticated but encrypted channel beats plaintext), plaintext otherwise,
     * and plaintext again if the TLS handshake fails.
     */
    OPPORTUNISTIC,
    /** STARTTLS or nothing: a server that does not offer it, or a failed handshake, defers the mail (4.7.x). */
    REQUIRED
}
