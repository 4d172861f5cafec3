package org.posthorn.net.internal;

import java.util.ArrayDeque;

/**
 * Bytes received and not yet consumed, as the chunks they arrived in. Decoders read from the
 * front; the transport appends at the back. Not thread-safe: the connection guards it.
 */
final class InboundBuffer {

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Read position in the first chunk. */
    private int headPosition;
    private int size;
    private long appended;

    void append(byte[] bytes) {
        if (bytes.length > 0) {
            chunks.addLast(bytes);
            size += bytes.length;
            appended += bytes.length;
        }
    }

    /** Unconsumed bytes. */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes ever appended: changes whenever input arrives. */
    long appended() {
        return appended;
    }

    /** The unconsumed byte at {@code index} from the front. */
    byte byteAt(int index) {
        int skip = index;
        boolean first = true;
        for (byte[] chunk : chunks) {
            int start = first ? headPosition : 0;
            first = false;
            int available = chunk.length - start;
            if (skip < available) {
                return chunk[start + skip];
            }
            skip -= available;
        }
        throw new IndexOutOfBoundsException(index);
    }

    /** Position from the front of the first {@code value} within the first {@code limit} bytes, or -1. */
    int indexOf(byte value, int limit) {
        int offset = 0;
        boolean first = true;
        for (byte[] chunk : chunks) {
            int start = first ? headPosition : 0;
            first = false;
            for (int i = start; i < chunk.length; i++, offset++) {
                if (offset >= limit) {
                    return -1;
                }
                if (chunk[i] == value) {
                    return offset;
                }
            }
        }
        return -1;
    }

    /** Moves up to {@code length} bytes into {@code target}; returns how many. */
    int read(byte[] target, int offset, int length) {
        int copied = 0;
        while (copied < length && size > 0) {
            byte[] head = chunks.peekFirst();
            int n = Math.min(length - copied, head.length - headPosition);
            System.arraycopy(head, headPosition, target, offset + copied, n);
            copied += n;
            consume(n);
        }
        return copied;
    }

    /** The first chunk, read from {@link #headPosition()}; {@code null} when empty. */
    byte[] head() {
        return chunks.peekFirst();
    }

    int headPosition() {
        return headPosition;
    }

    /** Drops {@code count} bytes from the front (at most the first chunk's rest, or across chunks). */
    void consume(int count) {
        if (count > size) {
            throw new IllegalArgumentException(count + " > " + size);
        }
        int left = count;
        while (left > 0) {
            byte[] head = chunks.peekFirst();
            int n = Math.min(left, head.length - headPosition);
            headPosition += n;
            left -= n;
            if (headPosition == head.length) {
                chunks.pollFirst();
                headPosition = 0;
            }
        }
        size -= count;
    }

    /** Drops everything; returns how many bytes that was. */
    int clear() {
        int dropped = size;
        chunks.clear();
        headPosition = 0;
        size = 0;
        return dropped;
    }
}
