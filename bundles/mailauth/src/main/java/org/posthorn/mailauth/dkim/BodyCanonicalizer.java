package org.posthorn.mailauth.dkim;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Canonicalizes a message body as it streams through (RFC 6376 §3.4.3 and §3.4.4) and feeds
 * the result to a digest, stopping after {@code limit} canonical bytes (the {@code l=} tag).
 * Empty lines are held back until a non-empty line follows, since trailing empty lines do not
 * count. A bare LF ends a line as CRLF does. Not thread-safe.
 */
final class BodyCanonicalizer extends OutputStream {

    private static final byte[] CRLF = {'\r', '\n'};

    private final Canonicalization canonicalization;
    private final MessageDigest digest;
    private final long limit;
    private byte[] line = new byte[256];
    private int length;
    private long pendingEmptyLines;
    private long written;
    private boolean anyContent;

    /** @param limit the most canonical bytes to hash, or -1 for all */
    BodyCanonicalizer(Canonicalization canonicalization, MessageDigest digest, long limit) {
        this.canonicalization = canonicalization;
        this.digest = digest;
        this.limit = limit;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            endLine();
            return;
        }
        if (length == line.length) {
            line = java.util.Arrays.copyOf(line, line.length * 2);
        }
        line[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void endLine() {
        int end = length;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        byte[] text = canonicalization == Canonicalization.RELAXED ? relaxed(line, end) : java.util.Arrays.copyOf(line, end);
        length = 0;
        if (text.length == 0) {
            pendingEmptyLines++;
            return;
        }
        for (; pendingEmptyLines > 0; pendingEmptyLines--) {
            emit(CRLF);
        }
        emit(text);
        emit(CRLF);
        anyContent = true;
    }

    /** §3.4.4: runs of WSP become one SP, WSP at the end of the line goes. */
    private static byte[] relaxed(byte[] line, int end) {
        byte[] out = new byte[end];
        int n = 0;
        boolean space = false;
        for (int i = 0; i < end; i++) {
            byte c = line[i];
            if (c == ' ' || c == '\t') {
                space = true;
            } else {
                if (space) {
                    out[n++] = ' ';
                    space = false;
                }
                out[n++] = c;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private void emit(byte[] bytes) {
        int n = bytes.length;
        if (limit >= 0) {
            n = (int) Math.max(0, Math.min(n, limit - written));
        }
        digest.update(bytes, 0, n);
        written += n;
    }

    /** Ends the body (a last line without line break counts as a line) and returns the hash. */
    byte[] finish() {
        if (length > 0) {
            endLine();
        }
        // §3.4.3: an empty body is one CRLF in simple canonicalization and nothing in relaxed
        if (!anyContent && canonicalization == Canonicalization.SIMPLE) {
            emit(CRLF);
        }
        return digest.digest();
    }

    /** The canonical body bytes seen so far (those hashed, up to the limit). */
    long length() {
        return written;
    }

    @Override
    public void close() throws IOException {
        // nothing to release; finish() gives the result
    }
}
