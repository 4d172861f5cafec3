package org.posthorn.smtp.session;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.posthorn.api.mail.Origin;

/**
 * The {@code Received:} trace header this server prepends to every message (RFC 5321 §4.4,
 * RFC 5322 §3.6.7), with the RFC 3848 / RFC 6531 protocol keyword and, as comments, the TLS
 * parameters and the authenticated user:
 *
 * <pre>
 * Received: from client.example (client.example [192.0.2.1])
 *         by mx.example.org (Posthorn) with ESMTPSA id smtp-3f.1
 *         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
 *         (authenticated as alice@example.org);
 *         Mon, 23 Nov 2026 11:18:15 +0000
 * </pre>
 *
 * No {@code for} clause: with several recipients it could only name one, and naming a Bcc
 * recipient would disclose it. Client-supplied names are reduced to characters that cannot
 * break the header's syntax.
 */
final class ReceivedHeader {

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ROOT);

    private ReceivedHeader() {
    }

    /** The header field, folded, ending with CR LF, as UTF-8 bytes. */
    static byte[] of(Origin origin, String hostName, String id, ZoneId zone) {
        StringBuilder header = new StringBuilder("Received: from ").append(clean(origin.heloName()))
                .append(" (").append(clean(origin.clientHost())) // "unknown" without a confirmed name
                .append(" [").append(origin.clientAddress()).append("])\r\n")
                .append("\tby ").append(clean(hostName)).append(" (Posthorn) with ").append(origin.protocol())
                .append(" id ").append(clean(id));
        if (origin.tls() != null) {
            String[] tls = origin.tls().split(" ", 2);
            header.append("\r\n\t(using ").append(clean(tls[0]));
            if (tls.length > 1) {
                header.append(" with cipher ").append(clean(tls[1]));
            }
            header.append(')');
        }
        if (origin.authenticatedUser() != null) {
            header.append("\r\n\t(authenticated as ").append(clean(origin.authenticatedUser())).append(')');
        }
        header.append(";\r\n\t").append(DATE.format(origin.receivedAt().atZone(zone))).append("\r\n");
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Keeps what a domain, an address literal or an address may contain; anything else (spaces,
     * parentheses, control characters, non-ASCII from a hostile HELO) becomes '?'.
     */
    static String clean(String text) {
        if (text == null || text.isEmpty()) {
            return "unknown";
        }
        StringBuilder cleaned = new StringBuilder(Math.min(text.length(), 255));
        for (int i = 0; i < text.length() && i < 255; i++) {
            char c = text.charAt(i);
            boolean safe = c > ' ' && c < 0x7f && "()\\\";<>,".indexOf(c) < 0;
            cleaned.append(safe ? c : '?');
        }
        return cleaned.toString();
    }
}
