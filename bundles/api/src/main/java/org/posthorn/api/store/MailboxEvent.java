package org.posthorn.api.store;

import java.util.List;

/**
 * A committed change to one mailbox, as told to {@link MailboxListener}s.
 *
 * <p>Every committed change of a mailbox's messages raises its HIGHESTMODSEQ by exactly one,
 * so per mailbox the events of message changes have consecutive {@code modSeq} values and a
 * session that took a {@link MailboxSnapshot} ignores those with {@code modSeq <=
 * snapshot.status().highestModSeq()}. Events may name UIDs a session already saw expunged;
 * sessions apply them idempotently. Events are local to this store instance (one JVM).
 *
 * @param account     the account owning the mailbox
 * @param mailboxId   the mailbox's identity, stable across renames ({@link MailboxInfo#id()})
 * @param mailbox     the mailbox name (the old name for {@link Kind#RENAMED})
 * @param uidValidity the mailbox's UIDVALIDITY
 * @param kind        what happened
 * @param uids        the UIDs affected (new, changed or expunged); empty for mailbox events
 * @param messages    for {@link Kind#ADDED} and {@link Kind#FLAGS}: the new state of each
 *                    message in {@code uids}, in UID order; otherwise empty
 * @param modSeq      the mailbox's HIGHESTMODSEQ after the change
 * @param newName     for {@link Kind#RENAMED}: the new name; otherwise null
 */
public record MailboxEvent(String account, long mailboxId, String mailbox, long uidValidity, Kind kind, UidSet uids,
                           List<MessageMeta> messages, long modSeq, String newName) {

    public MailboxEvent {
        messages = List.copyOf(messages);
    }

    public enum Kind {
        /** New messages arrived (delivery, APPEND, COPY, MOVE into it). */
        ADDED,
        /** Flags of messages changed. */
        FLAGS,
        /** Messages were expunged (EXPUNGE, MOVE out of it). */
        EXPUNGED,
        /** The mailbox was created. */
        CREATED,
        /** The mailbox was deleted; a session that has it selected must leave it. */
        DELETED,
        /** The mailbox (and its children, each with its own event) got a new name. */
        RENAMED
    }
}
