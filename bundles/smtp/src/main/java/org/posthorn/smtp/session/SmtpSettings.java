package org.posthorn.smtp.session;

import java.time.Duration;
import java.util.Objects;

/**
 * What an SMTP session needs to know of the configuration. Immutable; a session reads the
 * settings in force at each command, so an edited configuration applies to open sessions too.
 *
 * @param hostName              the name this server gives in its greeting, EHLO reply and
 *                              {@code Received:} header
 * @param maxMessageSize        the largest message accepted, in bytes (SIZE, RFC 1870)
 * @param maxRecipients         recipients per message at most (RFC 5321 §4.5.3.1.8 asks for at least 100)
 * @param maxErrors             client errors a session may make before it is disconnected
 * @param authFailureDelay      how long a failed AUTH waits before its 535 reply
 * @param plaintextAuth         AUTH allowed before STARTTLS (never advisable; RFC 6409 §4.3, RFC 8314)
 * @param mxAuth                AUTH offered on the MX listener (after STARTTLS), so submitters using port
 *                              25 can relay
 * @param rejectUnknownRecipients  RCPT to an unknown user in a local domain answers 550 5.1.1
 * @param senderMustBeOwn       an authenticated submitter may only use its own addresses in MAIL FROM
 * @param vrfy                  VRFY looks the user up; otherwise it answers 252 without looking
 * @param rejectBareLineEndings a bare CR or LF in DATA or BDAT fails the message (550 5.6.0); otherwise it is
 *                              turned into CR LF
 * @param commandTimeout        how long the server waits for the next command (RFC 5321 §4.5.3.2.7)
 * @param dataTimeout           how long the server waits for more message data
 * @param policyFailClosed      a policy that throws makes the server answer 451 4.3.0; otherwise it is skipped
 * @param reverseDns            look up the client's name in the DNS (forward-confirmed)
 * @param reverseDnsTimeout     how long after the connect that name may take to arrive
 */
public record SmtpSettings(String hostName, long maxMessageSize, int maxRecipients, int maxErrors,
                           Duration authFailureDelay, boolean plaintextAuth, boolean mxAuth,
                           boolean rejectUnknownRecipients, boolean senderMustBeOwn, boolean vrfy,
                           boolean rejectBareLineEndings, Duration commandTimeout, Duration dataTimeout,
                           boolean policyFailClosed, boolean reverseDns, Duration reverseDnsTimeout) {

    public SmtpSettings {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(authFailureDelay, "authFailureDelay");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        Objects.requireNonNull(reverseDnsTimeout, "reverseDnsTimeout");
        if (maxMessageSize <= 0 || maxRecipients <= 0 || maxErrors <= 0) {
            throw new IllegalArgumentException("message size, recipients and errors limits must be positive");
        }
    }
}
