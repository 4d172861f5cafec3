package org.posthorn.queue.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.posthorn.api.mail.MessageSource;

/**
 * A large message made up on the fly, never held in memory: a header, then numbered 76-octet
 * CRLF lines (none starts with a dot, so the wire bytes equal the message bytes).
 */
final class GeneratedMessage implements MessageSource {

    private static final byte[] HEADER = "Subject: large\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int LINE = 78;

    private final long lines;

    GeneratedMessage(long approximateBytes) {
        this.lines = approximateBytes / LINE;
    }

    @Override
    public long size() {
        return HEADER.length + lines * LINE;
    }

    @Override
    public InputStream openStream() {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= size()) {
                    return -1;
                }
                int n = (int) Math.min(len, size() - position);
                for (int i = 0; i < n; i++) {
                    b[off + i] = byteAt(position + i);
                }
                position += n;
                return n;
            }
        };
    }

    private byte byteAt(long p) {
        if (p < HEADER.length) {
            return HEADER[(int) p];
        }
        long q = p - HEADER.length;
        long line = q / LINE;
        int column = (int) (q % LINE);
        if (column == LINE - 2) {
            return '\r';
        }
        if (column == LINE - 1) {
            return '\n';
        }
        return (byte) ('A' + (line + column) % 26);
    }

    /** The SHA-256 of the whole message, hex. */
    String sha256() throws IOException {
        try (InputStream in = openStream()) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
