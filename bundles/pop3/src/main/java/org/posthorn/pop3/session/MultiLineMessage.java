package org.posthorn.pop3.session;

import java.io.IOException;
import java.io.InputStream;

/**
 * A stored message as a POP3 multi-line response carries it (RFC 1939 §3), produced while
 * reading: every line ends with CR LF (a bare LF or CR from a lenient delivery becomes CR LF),
 * a line starting with {@code "."} gets another one in front, and the last line is ended if
 * the message was not. The terminating {@code ".\r\n"} is not part of it. For TOP it stops after
 * the header, the blank line and the given number of body lines.
 *
 * <p>Reads the source a chunk at a time and never holds more than two small buffers, whatever
 * the size of the message. Closing it closes the source. Not thread-safe.
 */
final class MultiLineMessage extends InputStream {

    private static final int CHUNK = 16 * 1024;

    private final InputStream source;
    private final byte[] in = new byte[CHUNK];
    // one input byte becomes at most three (dot, CR, LF), plus the CR LF of a line cut at the end
    private final byte[] out = new byte[3 * CHUNK + 4];
    private int outPosition;
    private int outLength;

    private long bodyLinesLeft;
    private boolean inBody;
    private boolean atLineStart = true;
    private boolean afterCr;
    private boolean finished;

    private MultiLineMessage(InputStream source, long bodyLines) {
        this.source = source;
        this.bodyLinesLeft = bodyLines;
    }

    /** The whole message (RETR). */
    static MultiLineMessage whole(InputStream source) {
        return new MultiLineMessage(source, -1);
    }

    /** The header, the blank line after it and the first {@code bodyLines} lines of the body (TOP). */
    static MultiLineMessage top(InputStream source, long bodyLines) {
        if (bodyLines < 0) {
            throw new IllegalArgumentException("negative line count: " + bodyLines);
        }
        return new MultiLineMessage(source, bodyLines);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (outPosition == outLength) {
            if (finished) {
                return -1;
            }
            fill();
        }
        int n = Math.min(length, outLength - outPosition);
        System.arraycopy(out, outPosition, buffer, offset, n);
        outPosition += n;
        return n;
    }

    /** Transforms the next chunk of the source into {@link #out}. */
    private void fill() throws IOException {
        outPosition = 0;
        outLength = 0;
        int n;
        try {
            n = source.read(in, 0, in.length);
        } catch (IOException e) {
            throw new UnreadableSourceException(e);
        }
        if (n < 0) {
            if (afterCr || !atLineStart) {
                endLine();
            }
            finished = true;
            return;
        }
        for (int i = 0; i < n && !finished; i++) {
            byte b = in[i];
            if (afterCr) {
                afterCr = false;
                endLine();
                if (b == '\n') {
                    continue;
                }
                if (finished) {
                    break;
                }
            }
            if (b == '\r') {
                afterCr = true;
            } else if (b == '\n') {
                endLine();
            } else {
                if (atLineStart && b == '.') {
                    out[outLength++] = '.'; // RFC 1939 §3: byte-stuff a line that starts with the termination octet
                }
                atLineStart = false;
                out[outLength++] = b;
            }
        }
    }

    /** Writes CR LF and counts the line; TOP ends after the header and its body lines. */
    private void endLine() {
        boolean emptyLine = atLineStart;
        out[outLength++] = '\r';
        out[outLength++] = '\n';
        atLineStart = true;
        if (!inBody) {
            inBody = emptyLine;
            if (inBody && bodyLinesLeft == 0) {
                finished = true;
            }
        } else if (bodyLinesLeft > 0 && --bodyLinesLeft == 0) {
            finished = true;
        }
    }

    /** Reading the stored message failed (not the client's connection): the response cannot be completed. */
    static final class UnreadableSourceException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableSourceException(IOException cause) {
            super("cannot read the stored message: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() throws IOException {
        finished = true;
        source.close();
    }
}
