package org.posthorn.api.store;

import java.util.List;

/**
 * What changed in a mailbox since a session last looked, read in one call
 * ({@link MailboxStore#changes}).
 *
 * @param highestModSeq the mailbox's HIGHESTMODSEQ when it was read
 * @param vanished      UIDs expunged since the given MODSEQ (empty if not asked for)
 * @param changed       messages added or changed since the given MODSEQ, in UID order
 * @param recent        messages this caller claimed as {@code \Recent} (empty if not asked for)
 */
public record MailboxChanges(long highestModSeq, UidSet vanished, List<MessageMeta> changed, UidSet recent) {

    public MailboxChanges {
        changed = List.copyOf(changed);
    }
}
