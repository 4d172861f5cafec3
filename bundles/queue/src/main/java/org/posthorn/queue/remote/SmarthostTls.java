package org.posthorn.queue.remote;

/** How the connection to a smarthost is encrypted. */
public enum SmarthostTls {
    /** STARTTLS if offered, plaintext otherwise; credentials are never sent in plaintext. */
    OPPORTUNISTIC,
    /** STARTTLS is required (submission port 587). */
    STARTTLS,
    /** TLS from the first byte (RFC 8314, port 465). */
    IMPLICIT
}
