package org.posthorn.api.store;

import java.util.List;

/**
 * The ENVELOPE of a message (RFC 9051 §7.5.2) as extracted once at delivery: header values
 * unfolded (line breaks removed, the following white space kept) but otherwise raw, i.e.
 * RFC 2047 encoded words are left encoded, as IMAP sends them. Header bytes that are not
 * valid UTF-8 are read as ISO-8859-1.
 *
 * <p>Following RFC 9051, {@code sender} and {@code replyTo} are the {@code from} list when
 * their header fields are absent or empty. A field that is absent is {@code null} (strings)
 * or an empty list (addresses).
 *
 * @param date      the Date field or null
 * @param subject   the Subject field or null
 * @param from      From addresses
 * @param sender    Sender addresses (From if absent)
 * @param replyTo   Reply-To addresses (From if absent)
 * @param to        To addresses
 * @param cc        Cc addresses
 * @param bcc       Bcc addresses
 * @param inReplyTo the In-Reply-To field or null
 * @param messageId the Message-ID field or null
 */
public record MessageEnvelope(String date, String subject, List<EnvelopeAddress> from, List<EnvelopeAddress> sender,
                              List<EnvelopeAddress> replyTo, List<EnvelopeAddress> to, List<EnvelopeAddress> cc,
                              List<EnvelopeAddress> bcc, String inReplyTo, String messageId) {

    public MessageEnvelope {
        from = List.copyOf(from);
        sender = List.copyOf(sender);
        replyTo = List.copyOf(replyTo);
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        bcc = List.copyOf(bcc);
    }
}
