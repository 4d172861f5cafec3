package org.posthorn.api.store;

/**
 * A mailbox's counters at one moment (STATUS, SELECT).
 *
 * @param messages      number of messages
 * @param recent        number of messages no read-write SELECT has claimed yet (\Recent)
 * @param unseen        number of messages without {@code \Seen}
 * @param uidNext       the UID the next message will get
 * @param uidValidity   UIDVALIDITY; UIDs are never reused while it stays the same
 * @param highestModSeq the highest MODSEQ of any change in the mailbox (RFC 7162)
 * @param size          total size of the messages in bytes (STATUS SIZE, RFC 8438)
 * @param deleted       number of messages with {@code \Deleted} (STATUS DELETED, RFC 9208)
 */
public record MailboxStatus(long messages, long recent, long unseen, long uidNext, long uidValidity,
                            long highestModSeq, long size, long deleted) {
}
