package org.posthorn.api.store;

/**
 * Where a new message went (UIDPLUS APPENDUID).
 *
 * @param uidValidity the mailbox's UIDVALIDITY
 * @param uid         the message's UID
 * @param modSeq      the MODSEQ of the append
 */
public record AppendResult(long uidValidity, long uid, long modSeq) {
}
