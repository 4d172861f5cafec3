package org.posthorn.api.mail;

import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one message (RFC 5321 §2.3.1): who it is from, whom it is for, and
 * the ESMTP parameters that travel with it.
 *
 * @param sender     the reverse-path, or {@code null} for the null reverse-path {@code <>}
 *                   (bounces; RFC 5321 §4.5.5)
 * @param recipients the forward-paths, at least one, in the order received
 * @param ret        DSN RET (RFC 3461), or {@code null} if not given
 * @param envelopeId DSN ENVID, xtext-decoded, or {@code null}
 * @param bodyType   BODY parameter
 * @param smtpUtf8   whether the message was submitted with SMTPUTF8 (RFC 6531)
 * @param origin     where it came from
 */
public record Envelope(MailAddress sender, List<Recipient> recipients, DsnReturn ret, String envelopeId,
                       BodyType bodyType, boolean smtpUtf8, Origin origin) {

    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        Objects.requireNonNull(bodyType, "bodyType");
        Objects.requireNonNull(origin, "origin");
    }

    /** True for the null reverse-path: never send a bounce or an auto-reply to this message. */
    public boolean hasNullSender() {
        return sender == null;
    }

    /** A copy with other recipients (after alias expansion or a filter's redirect). */
    public Envelope withRecipients(List<Recipient> newRecipients) {
        return new Envelope(sender, newRecipients, ret, envelopeId, bodyType, smtpUtf8, origin);
    }
}
