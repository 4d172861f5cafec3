package org.posthorn.smtp.session;

import java.io.IOException;
import java.io.InputStream;

import org.posthorn.net.BareLineEndingException;

/**
 * Fails a message that holds a bare CR or bare LF (RFC 5321 §2.3.8), as DATA does under
 * {@code bare.line.endings=reject}, for messages sent with BDAT, where no dot-stuffing decoder
 * sees the bytes. The message is passed on and read to its end (so every chunk is consumed and
 * the size limit still counts), then {@link BareLineEndingException} is thrown instead of the
 * end. Reads the chunks as one stream, so a CR ending one chunk and an LF starting the next are
 * one CR LF.
 */
final class BareLineEndingCheck extends BlockStream {

    private final InputStream in;
    private boolean afterCr;
    /** The first offence: {@code null}, or whether it was an LF. */
    private Boolean bareLineFeed;

    BareLineEndingCheck(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = in.read(bytes, offset, length);
        if (n < 0) {
            if (afterCr) {
                offence(false);
                afterCr = false;
            }
            if (bareLineFeed != null) {
                throw new BareLineEndingException(bareLineFeed);
            }
            return n;
        }
        for (int i = offset; i < offset + n; i++) {
            byte b = bytes[i];
            if (afterCr && b != '\n') {
                offence(false);
            } else if (!afterCr && b == '\n') {
                offence(true);
            }
            afterCr = b == '\r';
        }
        return n;
    }

    private void offence(boolean lineFeed) {
        if (bareLineFeed == null) {
            bareLineFeed = lineFeed;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
