package org.posthorn.api.queue;

/**
 * The receipt for a message the queue has durably accepted.
 *
 * @param id   the queue id, short and printable, unique in this installation (it appears in
 *             the SMTP 250 reply and in logs, so an admin can trace a message)
 * @param size the number of bytes stored
 */
public record QueuedMessage(String id, long size) {
}
