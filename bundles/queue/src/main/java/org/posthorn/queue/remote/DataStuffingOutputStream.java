package org.posthorn.queue.remote;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns message bytes into the DATA section of RFC 5321 §4.5.2: every line ending becomes CRLF
 * (a bare LF or a bare CR is not allowed on the wire, RFC 5321 §2.3.8), a line starting with
 * "." gets another "." in front, and {@link #finish()} ends the last line and writes the
 * terminating ".". Buffers internally; the caller buffers nothing. Not thread-safe.
 */
final class DataStuffingOutputStream extends FilterOutputStream {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';

    private final byte[] buffer = new byte[16 * 1024];
    private int count;
    private boolean atLineStart = true;
    private boolean pendingCr;

    DataStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        process((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            process(b[i]);
        }
    }

    private void process(byte b) throws IOException {
        if (pendingCr) {
            pendingCr = false;
            endLine();
            if (b == LF) {
                return;
            }
        }
        if (b == CR) {
            pendingCr = true;
        } else if (b == LF) {
            endLine();
        } else {
            if (atLineStart && b == DOT) {
                put(DOT);
            }
            put(b);
            atLineStart = false;
        }
    }

    private void endLine() throws IOException {
        put(CR);
        put(LF);
        atLineStart = true;
    }

    private void put(byte b) throws IOException {
        if (count == buffer.length) {
            drain();
        }
        buffer[count++] = b;
    }

    private void drain() throws IOException {
        out.write(buffer, 0, count);
        count = 0;
    }

    /** Ends the last line if it is open, writes "." CRLF and flushes; the stream stays open. */
    void finish() throws IOException {
        if (pendingCr) {
            pendingCr = false;
            endLine();
        }
        if (!atLineStart) {
            endLine();
        }
        put(DOT);
        put(CR);
        put(LF);
        flush();
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }
}
