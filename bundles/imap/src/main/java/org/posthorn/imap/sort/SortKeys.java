package org.posthorn.imap.sort;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.posthorn.api.store.EnvelopeAddress;
import org.posthorn.api.store.MessageEnvelope;
import org.posthorn.api.store.StoredMessage;

/**
 * What SORT and THREAD compare of one message (RFC 5256, RFC 5957), taken from the index and the
 * ENVELOPE parsed at delivery.
 *
 * @param number     the message's number in the response: message sequence number or UID
 * @param size       RFC822.SIZE
 * @param arrival    the internal date
 * @param sent       the sent date, or the internal date if the Date field cannot be read
 * @param subject    the base subject
 * @param messageId  the Message-ID, or null
 * @param references the parents named by References (or In-Reply-To), oldest first
 */
public record SortKeys(long number, long size, Instant arrival, Instant sent, BaseSubject subject, String from,
                       String to, String cc, String displayFrom, String displayTo, String messageId,
                       List<String> references) {

    public SortKeys {
        references = List.copyOf(references);
    }

    /** The keys of a stored message; {@code references} is what THREAD=REFERENCES needs, else empty. */
    public static SortKeys of(long number, StoredMessage message, List<String> references) {
        MessageEnvelope envelope = message.envelope();
        Instant arrival = message.meta().internalDate();
        Instant sent = envelope == null ? null : SentDate.parse(envelope.date());
        return new SortKeys(number, message.meta().size(), arrival, sent == null ? arrival : sent,
                BaseSubject.of(envelope == null ? null : envelope.subject()),
                mailbox(envelope == null ? List.of() : envelope.from()),
                mailbox(envelope == null ? List.of() : envelope.to()),
                mailbox(envelope == null ? List.of() : envelope.cc()),
                display(envelope == null ? List.of() : envelope.from()),
                display(envelope == null ? List.of() : envelope.to()),
                envelope == null ? null : envelope.messageId(), references);
    }

    /**
     * RFC 5256 §3: the addr-mailbox of the first address, upper case (i;ascii-casemap). A group
     * comes first as its start marker, whose addr-mailbox is the group's name (as Dovecot sorts).
     */
    private static String mailbox(List<EnvelopeAddress> addresses) {
        if (addresses.isEmpty() || addresses.get(0).mailbox() == null) {
            return "";
        }
        return addresses.get(0).mailbox().toUpperCase(Locale.ROOT);
    }

    /** RFC 5957: the display name of the first address, or its address; a group's name for a group. */
    private static String display(List<EnvelopeAddress> addresses) {
        if (addresses.isEmpty()) {
            return "";
        }
        EnvelopeAddress a = addresses.get(0);
        String name = EncodedWords.decode(a.name());
        if (name != null && !name.isBlank()) {
            return name.strip().toUpperCase(Locale.ROOT);
        }
        String mailbox = a.mailbox() == null ? "" : a.mailbox();
        return (a.host() == null ? mailbox : mailbox + "@" + a.host()).toUpperCase(Locale.ROOT);
    }
}
