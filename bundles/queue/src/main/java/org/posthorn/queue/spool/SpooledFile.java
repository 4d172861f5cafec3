package org.posthorn.queue.spool;

/**
 * A message file in the spool, forced to disk under its final name.
 *
 * @param id         the queue id, which is also the file name
 * @param size       the number of bytes in the file
 * @param bodyOffset where the body starts: just after the empty line ending the header, or
 *                   {@code size} if the message has no empty line
 */
public record SpooledFile(String id, long size, long bodyOffset) {
}
