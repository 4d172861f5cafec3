package org.posthorn.smtp.session;

import java.io.IOException;
import java.io.InputStream;

/**
 * Turns every bare CR and bare LF into CR LF, so a message with broken line endings is stored
 * (and later relayed) with the only line ending SMTP has (RFC 5321 §2.3.8). The end of the
 * data has already been found by then, strictly at CR LF "." CR LF, so this cannot help anyone
 * smuggle a second message.
 */
final class LineEndingNormalizer extends BlockStream {

    private static final int CR = '\r';
    private static final int LF = '\n';

    private final byte[] input = new byte[8192];
    private final byte[] output = new byte[2 * input.length + 2];
    private int outputStart;
    private int outputEnd;
    private boolean afterCr;
    private boolean ended;

    private final InputStream in;

    LineEndingNormalizer(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (outputStart == outputEnd) {
            if (ended) {
                return -1;
            }
            fill();
        }
        int n = Math.min(length, outputEnd - outputStart);
        System.arraycopy(output, outputStart, bytes, offset, n);
        outputStart += n;
        return n;
    }

    private void fill() throws IOException {
        outputStart = 0;
        outputEnd = 0;
        int n = in.read(input, 0, input.length);
        if (n < 0) {
            ended = true;
            if (afterCr) {
                output[outputEnd++] = LF;
                afterCr = false;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            int b = input[i] & 0xff;
            if (afterCr) {
                afterCr = false;
                output[outputEnd++] = LF;
                if (b == LF) {
                    continue;
                }
            }
            if (b == CR) {
                output[outputEnd++] = (byte) CR;
                afterCr = true;
            } else if (b == LF) {
                output[outputEnd++] = CR;
                output[outputEnd++] = LF;
            } else {
                output[outputEnd++] = (byte) b;
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
