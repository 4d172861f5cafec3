package org.posthorn.queue.index;

import java.time.Instant;

import org.posthorn.api.mail.Envelope;

/**
 * A message just written to the spool, waiting for its row.
 *
 * @param id         the queue id (and spool file name)
 * @param envelope   as received
 * @param size       the spool file's size
 * @param bodyOffset where the body starts in the spool file
 * @param arrival    when the queue accepted it (the queue's clock)
 */
public record NewEntry(String id, Envelope envelope, long size, long bodyOffset, Instant arrival) {
}
