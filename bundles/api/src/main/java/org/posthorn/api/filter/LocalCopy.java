package org.posthorn.api.filter;

import java.util.Set;

/**
 * One copy of a message for a local recipient: the mailbox it goes into and the flags it starts
 * with (IMAP system flags such as {@code \Seen}, or keywords).
 *
 * @param mailbox the mailbox, or null for INBOX; a missing mailbox is created
 * @param flags   initial flags, possibly empty
 * @since 1.1
 */
public record LocalCopy(String mailbox, Set<String> flags) {

    public LocalCopy {
        flags = Set.copyOf(flags);
    }

    /** A copy into INBOX without flags: what a recipient gets when no filter says otherwise. */
    public static LocalCopy inbox() {
        return new LocalCopy(null, Set.of());
    }
}
