package org.posthorn.net.internal;

import org.posthorn.net.BareLineEndingException;
import org.posthorn.net.BareLineEndings;

/**
 * Undoes SMTP dot-stuffing (RFC 5321 §4.5.2) on the front of an {@link InboundBuffer} and
 * finds the end of the data, consuming nothing past it.
 *
 * <p>The only line boundary is CR LF, and the only end is CR LF "." CR LF, where the first
 * CR LF may be the one that ended the command before the data. A line that starts with a dot
 * (after CR LF) loses that dot. A bare CR or LF is data: passed through, or, with
 * {@link BareLineEndings#REJECT}, the cause of discarding the rest and failing at the end.
 * Not thread-safe.
 */
final class DotUnstuffer {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';

    private enum State {
        /** At the start of a line: after CR LF, or at the start of the data. */
        LINE_START,
        IN_LINE,
        /** After a CR inside a line. */
        CR,
        /** After a dot at the start of a line. */
        DOT,
        /** After a dot and a CR at the start of a line. */
        DOT_CR,
        END
    }

    private final BareLineEndings bareLineEndings;
    private State state = State.LINE_START;
    /** A byte produced but not yet delivered, when the caller's room ran out; or -1. */
    private int pending = -1;
    /** The first bare CR or LF under REJECT: {@code null}, or whether it was a LF. */
    private Boolean offence;

    private byte[] target;
    private int position;
    private int limit;

    DotUnstuffer(BareLineEndings bareLineEndings) {
        this.bareLineEndings = bareLineEndings;
    }

    /**
     * Decodes from {@code in} into {@code bytes[offset, offset+length)}.
     *
     * @return bytes produced (possibly 0 having consumed input, or because {@code in} is
     *         empty), or -1 at the end of the data
     * @throws BareLineEndingException at the end of the data, under REJECT, if it held a bare
     *         CR or LF
     */
    int decode(InboundBuffer in, byte[] bytes, int offset, int length) throws BareLineEndingException {
        if (length == 0) {
            return 0;
        }
        target = bytes;
        position = offset;
        limit = offset + length;
        if (pending >= 0) {
            target[position++] = (byte) pending;
            pending = -1;
        }
        while (state != State.END && position < limit && pending < 0 && !in.isEmpty()) {
            byte[] head = in.head();
            int start = in.headPosition();
            int i = start;
            while (i < head.length && state != State.END && position < limit && pending < 0) {
                accept(head[i++]);
            }
            in.consume(i - start);
        }
        int produced = position - offset;
        target = null;
        if (state == State.END && produced == 0) {
            if (offence != null) {
                boolean lineFeed = offence;
                offence = null;
                throw new BareLineEndingException(lineFeed);
            }
            return -1;
        }
        return produced;
    }

    private void accept(byte b) {
        switch (state) {
            case LINE_START -> {
                if (b == DOT) {
                    state = State.DOT;
                } else {
                    inLine(b);
                }
            }
            case IN_LINE -> inLine(b);
            case CR -> {
                if (b == LF) {
                    emit(CR);
                    emit(LF);
                    state = State.LINE_START;
                } else {
                    bare(false);
                    emit(CR);
                    inLine(b);
                }
            }
            case DOT -> {
                if (b == CR) {
                    state = State.DOT_CR;
                } else {
                    // RFC 5321 §4.5.2: the leading dot of a line with more on it is removed
                    inLine(b);
                }
            }
            case DOT_CR -> {
                if (b == LF) {
                    state = State.END;
                } else {
                    bare(false);
                    emit(CR);
                    inLine(b);
                }
            }
            case END -> throw new IllegalStateException("data already ended");
        }
    }

    /** A byte inside a line (not at its start). */
    private void inLine(byte b) {
        if (b == CR) {
            state = State.CR;
            return;
        }
        if (b == LF) {
            bare(true);
        }
        emit(b);
        state = State.IN_LINE;
    }

    private void bare(boolean lineFeed) {
        if (bareLineEndings == BareLineEndings.REJECT && offence == null) {
            offence = lineFeed;
        }
    }

    private void emit(byte b) {
        if (offence != null) {
            return;
        }
        if (position < limit) {
            target[position++] = b;
        } else {
            pending = b & 0xff;
        }
    }
}
