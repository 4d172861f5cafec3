package org.posthorn.net.internal;

import org.posthorn.net.Line;
import org.posthorn.net.LineTooLongException;

/**
 * Takes lines off the front of an {@link InboundBuffer}. An over-long line is dropped as it
 * arrives, never held whole, and reported once its line feed has gone by. Not thread-safe.
 */
final class LineDecoder {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int maxLength;
    /** Inside an over-long line, dropping input up to its line feed. */
    private boolean discarding;

    LineDecoder(int maxLength) {
        this.maxLength = maxLength;
    }

    /**
     * The next complete line, consumed with its ending; or {@code null} if the buffer holds no
     * complete line yet (an over-long partial line is consumed meanwhile).
     *
     * @throws LineTooLongException when the end of an over-long line has been consumed
     */
    Line next(InboundBuffer in) throws LineTooLongException {
        if (!discarding) {
            // room for maxLength bytes of content plus CR LF
            int window = maxLength + 2;
            int lf = in.indexOf(LF, window);
            if (lf >= 0) {
                boolean crlf = lf > 0 && in.byteAt(lf - 1) == CR;
                int length = crlf ? lf - 1 : lf;
                byte[] content = new byte[length];
                in.read(content, 0, length);
                in.consume(crlf ? 2 : 1);
                if (length > maxLength) {
                    throw new LineTooLongException(maxLength);
                }
                return new Line(content, !crlf);
            }
            if (in.size() < window) {
                return null;
            }
            discarding = true;
        }
        int lf = in.indexOf(LF, in.size());
        if (lf < 0) {
            in.clear();
            return null;
        }
        in.consume(lf + 1);
        discarding = false;
        throw new LineTooLongException(maxLength);
    }

    /** Forgets a partly discarded line (the buffer was cleared under it). */
    void reset() {
        discarding = false;
    }
}
