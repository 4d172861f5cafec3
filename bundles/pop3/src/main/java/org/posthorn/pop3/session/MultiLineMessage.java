package org.posthorn.pop3.session;

import java.io.IOException;
import java.io.InputStream;

/**
 * Writes a stored message as a POP3 multi-line response carries it (RFC 1939 §3): every line
 * ends with CR LF (a bare LF or CR from a lenient delivery becomes CR LF), a line starting with
 * {@code "."} gets another one in front, and the last line is ended if the message was not.
 * The terminating {@code ".\r\n"} is not part of it. For TOP it stops after the header, the
 * blank line and the given number of body lines.
 *
 * <p>Reads the source a chunk at a time into one buffer, which one session reuses for every
 * message, and hands the sink runs of that buffer as they are: a message stored with CR LF
 * and without leading dots goes out in one write per chunk, and only the inserted bytes (a
 * dot, a missing CR or LF) are written separately. Not thread-safe.
 */
final class MultiLineMessage {

    /** Bytes read from the source at a time. */
    static final int CHUNK = 16 * 1024;
    private static final byte[] DOT = {'.'};
    private static final byte[] CR = {'\r'};
    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    /** Where the response goes: the connection's buffered output. */
    @FunctionalInterface
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    private final byte[] chunk = new byte[CHUNK];

    // the message being written
    private Sink sink;
    private long bodyLinesLeft;
    private boolean inBody;
    private boolean atLineStart;
    private boolean afterCr;
    private boolean finished;

    /** The whole message (RETR). Does not close {@code source}. */
    void whole(InputStream source, Sink out) throws IOException {
        write(source, -1, out);
    }

    /** The header, the blank line after it and the first {@code bodyLines} lines of the body (TOP). */
    void top(InputStream source, long bodyLines, Sink out) throws IOException {
        if (bodyLines < 0) {
            throw new IllegalArgumentException("negative line count: " + bodyLines);
        }
        write(source, bodyLines, out);
    }

    /**
     * @throws UnreadableSourceException reading {@code source} failed (the response is incomplete)
     * @throws IOException               the sink failed
     */
    private void write(InputStream source, long bodyLines, Sink out) throws IOException {
        sink = out;
        bodyLinesLeft = bodyLines;
        inBody = false;
        atLineStart = true;
        afterCr = false;
        finished = false;
        try {
            while (!finished) {
                int n;
                try {
                    n = source.read(chunk, 0, CHUNK);
                } catch (IOException e) {
                    throw new UnreadableSourceException(e);
                }
                if (n < 0) {
                    if (afterCr) {
                        sink.write(LF, 0, 1); // the CR went out already
                    } else if (!atLineStart) {
                        sink.write(CRLF, 0, 2);
                    }
                    return;
                }
                stuff(n);
            }
        } finally {
            sink = null;
        }
    }

    /**
     * Writes {@code chunk[0..n)}. {@code run} is where the bytes not yet written begin; a run is
     * interrupted only where a byte must be inserted before the byte at {@code i}.
     */
    private void stuff(int n) throws IOException {
        byte[] in = chunk;
        int run = 0;
        int i = 0;
        while (i < n && !finished) {
            byte b = in[i];
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    i++;
                } else {
                    // a bare CR ends the line: add its LF, then look at b again as the next line's first byte
                    sink.write(in, run, i - run);
                    sink.write(LF, 0, 1);
                    run = i;
                }
                lineEnded();
            } else if (b == '\r') {
                afterCr = true;
                i++;
            } else if (b == '\n') {
                sink.write(in, run, i - run);
                sink.write(CR, 0, 1); // a bare LF: the LF itself starts the next run
                run = i++;
                lineEnded();
            } else {
                if (atLineStart) {
                    atLineStart = false;
                    if (b == '.') {
                        // RFC 1939 §3: byte-stuff a line that starts with the termination octet
                        sink.write(in, run, i - run);
                        sink.write(DOT, 0, 1);
                        run = i;
                    }
                }
                // the rest of the line up to its CR or LF needs nothing
                i++;
                while (i < n && (b = in[i]) != '\r' && b != '\n') {
                    i++;
                }
            }
        }
        if (i > run) {
            sink.write(in, run, i - run);
        }
    }

    /** Counts a line that ended; TOP ends after the header and its body lines. */
    private void lineEnded() {
        boolean emptyLine = atLineStart;
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
}
