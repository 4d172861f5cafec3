package org.posthorn.api.store;

/**
 * A mailbox's counters at one moment (STATUS, SELECT).
 *
 * @param messages      number of messages
 * @param unseen        number of messages without {@code \Seen}
 * @param uidNext       the UID the next message will get
 * @param uidValidity   UIDVALIDITY; UIDs are never reused while it stays the same
 * @param highestModSeq the highest MODSEQ of any change in the mailbox (RFC 7162)
 * @param size          total size of the messages in bytes
 * @param deleted       number of messages with {@code \Deleted}
 */
public record MailboxStatus(long messages, long unseen, long uidNext, long uidValidity, long highestModSeq,
                            long size, long deleted) {
}
