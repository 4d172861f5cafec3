package org.posthorn.api.mail;

import java.util.Objects;
import java.util.Set;

/**
 * One RCPT TO of an envelope with its DSN parameters (RFC 3461 §4).
 *
 * @param address            the forward-path
 * @param notifyOn           NOTIFY values; empty means "not given" (the default: failures and delays)
 * @param originalRecipient  ORCPT as received, {@code addr-type;xtext-decoded address}, or {@code null}
 */
public record Recipient(MailAddress address, Set<DsnNotify> notifyOn, String originalRecipient) {

    public Recipient {
        Objects.requireNonNull(address, "address");
        notifyOn = Set.copyOf(notifyOn);
        if (notifyOn.contains(DsnNotify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER cannot be combined with other values");
        }
    }

    /** A recipient without DSN parameters. */
    public static Recipient of(MailAddress address) {
        return new Recipient(address, Set.of(), null);
    }

    /** A copy of this recipient with another address (for aliases and redirects), keeping DSN parameters. */
    public Recipient withAddress(MailAddress other) {
        return new Recipient(other, notifyOn, originalRecipient);
    }
}
