package org.posthorn.api.mail;

import java.time.Instant;
import java.util.Objects;

/**
 * Where and how a message entered Posthorn: what the {@code Received:} trace header says,
 * and what filters (SPF, DMARC, relay rules) decide on.
 *
 * @param heloName           the name the client gave in HELO/EHLO
 * @param clientAddress      the client's IP address as text
 * @param clientHost         the reverse-DNS name of the client if known, else {@code null}
 * @param protocol           the RFC 3848 "with" keyword: SMTP, ESMTP, ESMTPS, ESMTPSA, ...
 * @param authenticatedUser  the account name that authenticated, or {@code null}
 * @param tls                TLS protocol and cipher as text (e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256"), or {@code null}
 * @param listener           the name of the listener that received it (e.g. "mx", "submission")
 * @param receivedAt         when the end of data was received
 */
public record Origin(String heloName, String clientAddress, String clientHost, String protocol,
                     String authenticatedUser, String tls, String listener, Instant receivedAt) {

    public Origin {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** An origin for messages Posthorn generates itself (bounces, DSNs, vacation replies). */
    public static Origin local(String listener, Instant at) {
        return new Origin("localhost", "127.0.0.1", "localhost", "LOCAL", null, null, listener, at);
    }
}
