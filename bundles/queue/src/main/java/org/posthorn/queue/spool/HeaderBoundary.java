package org.posthorn.queue.spool;

/**
 * Finds the empty line that ends a message header while the bytes stream past, so the offset
 * of the body is known without reading the file again. Accepts CRLF and, leniently, bare LF.
 */
final class HeaderBoundary {

    private static final int IN_LINE = 0;
    private static final int LINE_START = 1;
    private static final int CR_AT_LINE_START = 2;

    private long position;
    private long bodyOffset = -1;
    // A message starting with an empty line has an empty header.
    private int state = LINE_START;

    void update(byte[] bytes, int offset, int length) {
        if (bodyOffset >= 0) {
            position += length;
            return;
        }
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            position++;
            if (b == '\n' && state != IN_LINE) {
                bodyOffset = position;
                position += offset + length - i - 1;
                return;
            }
            if (b == '\n') {
                state = LINE_START;
            } else if (b == '\r' && state == LINE_START) {
                state = CR_AT_LINE_START;
            } else {
                state = IN_LINE;
            }
        }
    }

    /** The offset of the first body byte; {@code position} (the end) if no empty line was seen. */
    long bodyOffset() {
        return bodyOffset >= 0 ? bodyOffset : position;
    }

    long position() {
        return position;
    }
}
