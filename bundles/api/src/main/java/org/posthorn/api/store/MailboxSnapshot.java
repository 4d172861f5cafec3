package org.posthorn.api.store;

import java.util.Set;

/**
 * A consistent view of a mailbox for SELECT/EXAMINE, taken while no change could commit:
 * every message in {@code uids} and none other exists at {@code status.highestModSeq()}.
 * Later changes arrive as {@link MailboxEvent}s with a higher MODSEQ.
 *
 * @param info          the mailbox
 * @param status        counters at the snapshot
 * @param uids          all UIDs, ascending: message sequence number n is the n-th
 * @param recent        UIDs this session sees as {@code \Recent} (claimed by a read-write
 *                      select; empty for read-only)
 * @param firstUnseen   UID of the first message without {@code \Seen}, or 0 if none
 * @param keywords      keywords in use in the mailbox (for FLAGS and PERMANENTFLAGS)
 */
public record MailboxSnapshot(MailboxInfo info, MailboxStatus status, UidSet uids, UidSet recent, long firstUnseen,
                              Set<String> keywords) {

    public MailboxSnapshot {
        keywords = Set.copyOf(keywords);
    }
}
