package org.posthorn.store.mime;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Undoes a Content-Transfer-Encoding incrementally: bytes are pushed in as they come, decoded
 * bytes go to a {@link Sink}. One implementation serves both the size count at delivery
 * (BINARY.SIZE) and the decoded stream at FETCH BINARY and SEARCH, so the two always agree.
 * Not thread-safe; one instance per body.
 */
public abstract class TransferDecoder {

    /** Receives decoded bytes. */
    public interface Sink {
        void write(byte[] b, int off, int len);
    }

    /** Feeds encoded bytes. */
    public abstract void write(byte[] b, int off, int len, Sink out);

    /** Ends the body, flushing what is pending. */
    public abstract void finish(Sink out);

    /** The decoder for a Content-Transfer-Encoding, or null if the body is stored as it is decoded. */
    public static TransferDecoder forEncoding(String transferEncoding) {
        return switch (transferEncoding.toUpperCase(Locale.ROOT)) {
            case "BASE64" -> new Base64();
            case "QUOTED-PRINTABLE" -> new QuotedPrintable();
            default -> null;
        };
    }

    /** Decodes a whole byte array (short header texts, tests). */
    public static byte[] decodeAll(TransferDecoder decoder, byte[] encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length);
        decoder.write(encoded, 0, encoded.length, out::write);
        decoder.finish(out::write);
        return out.toByteArray();
    }

    /** RFC 2045 §6.8: characters outside the alphabet are ignored, {@code =} ends the data. */
    static final class Base64 extends TransferDecoder {
        private static final byte[] VALUES = new byte[256];

        static {
            java.util.Arrays.fill(VALUES, (byte) -1);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for (int i = 0; i < alphabet.length(); i++) {
                VALUES[alphabet.charAt(i)] = (byte) i;
            }
        }

        private final byte[] out = new byte[3 * 1024];
        private int bits;
        private int count;
        private boolean ended;

        @Override
        public void write(byte[] b, int off, int len, Sink sink) {
            int n = 0;
            for (int i = off; i < off + len && !ended; i++) {
                int c = b[i] & 0xff;
                if (c == '=') {
                    ended = true;
                    break;
                }
                int v = VALUES[c];
                if (v < 0) {
                    continue;
                }
                bits = (bits << 6) | v;
                if (++count == 4) {
                    out[n++] = (byte) (bits >> 16);
                    out[n++] = (byte) (bits >> 8);
                    out[n++] = (byte) bits;
                    bits = 0;
                    count = 0;
                    if (n == out.length) {
                        sink.write(out, 0, n);
                        n = 0;
                    }
                }
            }
            if (n > 0) {
                sink.write(out, 0, n);
            }
        }

        @Override
        public void finish(Sink sink) {
            // A truncated quantum still carries whole bytes: 2 characters give 1, 3 give 2.
            if (count == 2) {
                sink.write(new byte[] {(byte) (bits >> 4)}, 0, 1);
            } else if (count == 3) {
                sink.write(new byte[] {(byte) (bits >> 10), (byte) (bits >> 2)}, 0, 2);
            }
            count = 0;
            bits = 0;
        }
    }

    /**
     * RFC 2045 §6.7: {@code =XX} is a byte, {@code =} before a line break is a soft break,
     * white space before a line break is dropped; a malformed {@code =} is kept literally.
     * Line breaks pass through as they are.
     */
    static final class QuotedPrintable extends TransferDecoder {
        private static final int MAX_PENDING = 998;

        private final byte[] out = new byte[4096];
        private int n;
        /** Bytes held back: trailing white space, or an {@code =} with up to two following bytes. */
        private final byte[] pending = new byte[MAX_PENDING + 3];
        private int pendingLength;
        private boolean inEscape;
        /** After a soft-break {@code =} and a CR, expecting the LF. */
        private boolean softCr;

        @Override
        public void write(byte[] b, int off, int len, Sink sink) {
            for (int i = off; i < off + len; i++) {
                accept(b[i], sink);
            }
            flushOut(sink);
        }

        private void accept(byte c, Sink sink) {
            if (softCr) {
                softCr = false;
                if (c == '\n') {
                    return;
                }
            }
            if (inEscape) {
                pending[pendingLength++] = c;
                resolveEscape(sink);
                return;
            }
            if (c == '=') {
                flushPendingWhitespace(sink);
                inEscape = true;
                pending[pendingLength++] = c;
                return;
            }
            if (c == ' ' || c == '\t') {
                if (pendingLength == MAX_PENDING) {
                    flushPendingWhitespace(sink);
                }
                pending[pendingLength++] = c;
                return;
            }
            if (c == '\r' || c == '\n') {
                pendingLength = 0;
            } else {
                flushPendingWhitespace(sink);
            }
            emit(c, sink);
        }

        private void resolveEscape(Sink sink) {
            // pending holds "=" plus one or two bytes
            byte first = pending[1];
            if (pendingLength == 2) {
                if (first == '\n') {
                    reset();
                    return;
                }
                if (first == '\r') {
                    reset();
                    softCr = true;
                    return;
                }
                if (first == ' ' || first == '\t' || hex(first) >= 0) {
                    return;
                }
                emitLiteral(sink);
                return;
            }
            if (first == ' ' || first == '\t') {
                // "=" followed by transport padding before the line break: still a soft break
                byte c = pending[pendingLength - 1];
                if (c == '\n') {
                    reset();
                } else if (c == '\r') {
                    reset();
                    softCr = true;
                } else if ((c == ' ' || c == '\t') && pendingLength < pending.length) {
                    return;
                } else {
                    emitLiteral(sink);
                }
                return;
            }
            int hi = hex(first);
            int lo = hex(pending[2]);
            if (lo >= 0) {
                reset();
                emit((byte) ((hi << 4) | lo), sink);
            } else {
                emitLiteral(sink);
            }
        }

        private void emitLiteral(Sink sink) {
            byte[] held = java.util.Arrays.copyOf(pending, pendingLength);
            reset();
            emit(held[0], sink);
            for (int i = 1; i < held.length; i++) {
                accept(held[i], sink);
            }
        }

        private void reset() {
            pendingLength = 0;
            inEscape = false;
        }

        private void flushPendingWhitespace(Sink sink) {
            for (int i = 0; i < pendingLength; i++) {
                emit(pending[i], sink);
            }
            pendingLength = 0;
        }

        private void emit(byte c, Sink sink) {
            out[n++] = c;
            if (n == out.length) {
                flushOut(sink);
            }
        }

        private void flushOut(Sink sink) {
            if (n > 0) {
                sink.write(out, 0, n);
                n = 0;
            }
        }

        @Override
        public void finish(Sink sink) {
            if (inEscape) {
                // "=" at the very end is a soft break; "=X" is kept literally
                if (pendingLength > 1 && pending[1] != ' ' && pending[1] != '\t') {
                    for (int i = 0; i < pendingLength; i++) {
                        emit(pending[i], sink);
                    }
                }
                reset();
            }
            // trailing white space at the end of the body is dropped as before a line break
            pendingLength = 0;
            flushOut(sink);
        }

        private static int hex(byte c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            return -1;
        }
    }
}
