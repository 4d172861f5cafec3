package org.posthorn.api.store;

/**
 * A committed change to one mailbox.
 *
 * @param account     the account owning the mailbox
 * @param mailbox     the mailbox name
 * @param uidValidity the mailbox's UIDVALIDITY
 * @param kind        what happened
 * @param uids        the UIDs affected (new, changed or expunged)
 * @param modSeq      the MODSEQ of the change
 */
public record MailboxEvent(String account, String mailbox, long uidValidity, Kind kind, UidSet uids, long modSeq) {

    public enum Kind {
        /** New messages arrived (delivery, APPEND, COPY, MOVE into it). */
        ADDED,
        /** Flags of messages changed. */
        FLAGS,
        /** Messages were expunged (EXPUNGE, MOVE out of it). */
        EXPUNGED,
        /** The mailbox was created, deleted or renamed. */
        MAILBOX
    }
}
