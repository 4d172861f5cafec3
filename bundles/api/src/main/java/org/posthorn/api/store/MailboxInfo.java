package org.posthorn.api.store;

import java.util.Set;

/**
 * A mailbox as LIST shows it.
 *
 * @param name        full name with {@code /} as delimiter; {@code INBOX} spelled that way
 * @param specialUse  SPECIAL-USE attributes
 * @param hasChildren whether any mailbox lies below it (RFC 3348)
 * @param uidValidity its UIDVALIDITY
 */
public record MailboxInfo(String name, Set<SpecialUse> specialUse, boolean hasChildren, long uidValidity) {

    public MailboxInfo {
        specialUse = Set.copyOf(specialUse);
    }
}
