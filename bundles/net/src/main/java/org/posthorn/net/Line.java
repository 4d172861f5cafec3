package org.posthorn.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One line received from a client, without its line ending. Immutable.
 *
 * <p>A line ends at LF. When a CR precedes the LF it belongs to the line ending;
 * {@link #endedWithBareLf()} says when it did not (SMTP refuses that, RFC 5321 §2.3.8;
 * IMAP and POP3 may tolerate it). A CR anywhere else stays in the line's bytes.
 */
public final class Line {

    private final byte[] bytes;
    private final boolean bareLf;

    /** A line of these bytes (copied), without CR LF. */
    public Line(byte[] bytes, boolean endedWithBareLf) {
        this.bytes = bytes.clone();
        this.bareLf = endedWithBareLf;
    }

    /** A line of this text in UTF-8 that ended with CR LF; handy in protocol unit tests. */
    public static Line of(String text) {
        return new Line(text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** The line as UTF-8 text; malformed sequences become U+FFFD. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The line's bytes, a copy. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The number of bytes in the line. */
    public int length() {
        return bytes.length;
    }

    /** {@code true} if the line ended with LF alone rather than CR LF. */
    public boolean endedWithBareLf() {
        return bareLf;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Line other && bareLf == other.bareLf && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + Boolean.hashCode(bareLf);
    }

    @Override
    public String toString() {
        return text();
    }
}
