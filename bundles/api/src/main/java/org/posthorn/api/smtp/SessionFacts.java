package org.posthorn.api.smtp;

import java.net.InetAddress;
import java.util.Objects;

import org.posthorn.api.mail.MailAddress;

/**
 * What the SMTP server knows of a session and its mail transaction when it asks a policy.
 *
 * @param listener          the listener's name: "mx", "submission" or "submissions"
 * @param clientAddress     the client's IP address
 * @param clientHost        the client's forward-confirmed reverse-DNS name (its PTR name, whose
 *                          A/AAAA records contain the address), or {@code null} if it has none, the
 *                          look-up failed or is switched off
 * @param heloName          the name the client gave in HELO/EHLO, as given (not verified)
 * @param tls               the session is encrypted (STARTTLS or implicit TLS)
 * @param authenticatedUser the account name the client authenticated as, or {@code null}
 * @param sender            the MAIL FROM address, or {@code null} for the null reverse-path {@code <>}
 *                          (bounces; SPF then checks the HELO name, RFC 7208 §2.4)
 */
public record SessionFacts(String listener, InetAddress clientAddress, String clientHost, String heloName,
                           boolean tls, String authenticatedUser, MailAddress sender) {

    public SessionFacts {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(heloName, "heloName");
    }
}
