package org.posthorn.mailauth.dkim;

import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Canonicalizes a message body as it streams through (RFC 6376 §3.4.3 and §3.4.4) and feeds
 * the result to a digest, stopping after {@code limit} canonical bytes (the {@code l=} tag).
 * It holds back only what it cannot decide yet: empty lines (trailing ones do not count), white
 * space (relaxed: trailing white space goes) and a CR (it may end the line), so memory stays
 * constant however long a line is. A bare LF ends a line as CRLF does. Not thread-safe.
 */
final class BodyCanonicalizer extends OutputStream {

    private final boolean relaxed;
    private final MessageDigest digest;
    private final long limit;
    private final byte[] buffer = new byte[8192];
    private int buffered;
    private long written;
    private long pendingEmptyLines;
    private boolean pendingSpace;
    private boolean pendingCr;
    private boolean lineHasContent;

    /** @param limit the most canonical bytes to hash, or -1 for all */
    BodyCanonicalizer(Canonicalization canonicalization, MessageDigest digest, long limit) {
        this.relaxed = canonicalization == Canonicalization.RELAXED;
        this.digest = digest;
        this.limit = limit;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            pendingCr = false;
            pendingSpace = false;
            if (lineHasContent) {
                emit('\r');
                emit('\n');
            } else {
                pendingEmptyLines++;
            }
            lineHasContent = false;
            return;
        }
        if (pendingCr) {
            pendingCr = false;
            content('\r');
        }
        if (b == '\r') {
            pendingCr = true;
        } else if (relaxed && (b == ' ' || b == '\t')) {
            // §3.4.4: a run of white space becomes one space, unless it ends the line
            pendingSpace = true;
        } else {
            content(b);
        }
    }

    private void content(int b) {
        if (!lineHasContent) {
            for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                emit('\r');
                emit('\n');
            }
            lineHasContent = true;
        }
        if (pendingSpace) {
            pendingSpace = false;
            emit(' ');
        }
        emit(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i] & 0xff);
        }
    }

    private void emit(int b) {
        if (limit >= 0 && written >= limit) {
            return;
        }
        written++;
        buffer[buffered++] = (byte) b;
        if (buffered == buffer.length) {
            digest.update(buffer, 0, buffered);
            buffered = 0;
        }
    }

    /** The canonical bytes hashed so far (at most the limit). */
    long length() {
        return written;
    }

    /** Ends the body (a last line without line break counts as a line) and returns the hash. */
    byte[] finish() {
        if (pendingCr) {
            pendingCr = false;
            content('\r');
        }
        if (lineHasContent) {
            emit('\r');
            emit('\n');
        }
        // §3.4.3: an empty body is one CRLF in simple canonicalization and nothing in relaxed
        if (written == 0 && !relaxed) {
            emit('\r');
            emit('\n');
        }
        digest.update(buffer, 0, buffered);
        buffered = 0;
        return digest.digest();
    }
}
