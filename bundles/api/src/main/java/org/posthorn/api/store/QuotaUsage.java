package org.posthorn.api.store;

/**
 * An account's quota (RFC 9208 STORAGE and MESSAGE resources). A limit of 0 means unlimited.
 * Usage counts every message in every mailbox of the account; a message copied is counted
 * once per copy.
 *
 * @param usedBytes     bytes in use
 * @param limitBytes    byte limit, 0 for none
 * @param usedMessages  messages in use
 * @param limitMessages message limit, 0 for none
 */
public record QuotaUsage(long usedBytes, long limitBytes, long usedMessages, long limitMessages) {
}
