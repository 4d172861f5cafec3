package org.posthorn.net;

/** How a listener speaks TLS. */
public enum TlsMode {
    /** Plain text only; {@link Connection#tlsAvailable()} is always {@code false}. */
    NONE,
    /**
     * Plain text first; the protocol may upgrade with {@link Connection#startTls(String)}
     * (SMTP 25 and 587, IMAP 143, POP3 110).
     */
    STARTTLS,
    /**
     * TLS from the first byte (SMTP 465, IMAP 993, POP3 995). Without TLS material a
     * connection is closed right after it is accepted, before the protocol sees it.
     */
    IMPLICIT
}
