package org.posthorn.store.mime;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines without ever holding a whole line: a handler gets the
 * first {@link #HEAD_CAP} content bytes at once (enough to recognise a boundary delimiter or
 * hold a header line), the rest in pieces, then the terminator length (2 for CRLF, 1 for a
 * bare LF, 0 at the end of input). Tracks absolute offsets and the number of LFs read.
 */
final class LineReader {

    static final int HEAD_CAP = 8192;

    interface Handler {
        /** The first content bytes of a line; {@code complete} if that is the whole content. */
        void head(byte[] b, int len, boolean complete);

        /** Further content bytes of a line whose head was not complete. */
        void more(byte[] b, int off, int len);

        /** The line ended; {@link LineReader#lfCount()} now counts its LF (it did not during {@link #head}). */
        void end(int terminatorLength);
    }

    private final InputStream in;
    private final byte[] buf = new byte[65536];
    private final byte[] head = new byte[HEAD_CAP];
    private int pos;
    private int lim;
    private long base;
    private long lfCount;
    private long lineStart;
    private int headLen;
    private boolean headSent;

    LineReader(InputStream in) {
        this.in = in;
    }

    long offset() {
        return base + pos;
    }

    long lineStart() {
        return lineStart;
    }

    long lfCount() {
        return lfCount;
    }

    /** Reads one line into {@code h}; false at end of input. */
    boolean next(Handler h) throws IOException {
        lineStart = offset();
        headLen = 0;
        headSent = false;
        boolean any = false;
        boolean heldCr = false;
        while (true) {
            if (pos == lim && !fill()) {
                if (!any) {
                    return false;
                }
                if (heldCr) {
                    content(h, new byte[] {'\r'}, 0, 1);
                }
                if (!headSent) {
                    h.head(head, headLen, true);
                }
                h.end(0);
                return true;
            }
            any = true;
            int lf = indexOfLf(pos, lim);
            if (heldCr) {
                heldCr = false;
                if (lf == pos) {
                    pos++;
                    if (!headSent) {
                        h.head(head, headLen, true);
                    }
                    lfCount++;
                    h.end(2);
                    return true;
                }
                content(h, new byte[] {'\r'}, 0, 1);
            }
            int contentEnd = lf >= 0 ? lf : lim;
            boolean crBeforeLf = false;
            if (contentEnd > pos && buf[contentEnd - 1] == '\r') {
                contentEnd--;
                if (lf >= 0) {
                    crBeforeLf = true;
                } else {
                    heldCr = true;
                }
            }
            content(h, buf, pos, contentEnd - pos);
            if (lf >= 0) {
                pos = lf + 1;
                if (!headSent) {
                    h.head(head, headLen, true);
                }
                lfCount++;
                h.end(crBeforeLf ? 2 : 1);
                return true;
            }
            pos = lim;
        }
    }

    private void content(Handler h, byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        if (headSent) {
            h.more(b, off, len);
            return;
        }
        int n = Math.min(len, HEAD_CAP - headLen);
        System.arraycopy(b, off, head, headLen, n);
        headLen += n;
        if (n < len) {
            headSent = true;
            h.head(head, headLen, false);
            h.more(b, off + n, len - n);
        }
    }

    private int indexOfLf(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean fill() throws IOException {
        base += lim;
        pos = 0;
        lim = 0;
        int n = in.readNBytes(buf, 0, buf.length);
        lim = Math.max(n, 0);
        return lim > 0;
    }
}
