package org.posthorn.api.store;

import java.util.Set;

/**
 * A mailbox as LIST shows it.
 *
 * @param id          identity of the mailbox, stable across renames, never reused
 * @param name        full name with {@code /} as delimiter; {@code INBOX} spelled that way
 * @param specialUse  SPECIAL-USE attributes
 * @param hasChildren whether any mailbox lies below it (RFC 3348)
 * @param subscribed  whether its name is subscribed (LIST-EXTENDED {@code \Subscribed})
 * @param uidValidity its UIDVALIDITY
 */
public record MailboxInfo(long id, String name, Set<SpecialUse> specialUse, boolean hasChildren, boolean subscribed,
                          long uidValidity) {

    public MailboxInfo {
        specialUse = Set.copyOf(specialUse);
    }
}
