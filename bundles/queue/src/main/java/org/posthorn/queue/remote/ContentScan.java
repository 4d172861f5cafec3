package org.posthorn.queue.remote;

import java.io.IOException;
import java.io.InputStream;

import org.posthorn.api.mail.MessageSource;

/**
 * What a message actually contains, for the rare case where the server lacks an extension the
 * envelope asked for and the message may still be sent without it. Reads the message once,
 * streaming; holds nothing.
 *
 * @param eightBitHeader a header line has a byte above 127 (needs SMTPUTF8, RFC 6532)
 * @param eightBitBody   a body line has a byte above 127 (needs 8BITMIME, RFC 6152)
 * @param binary         a NUL byte or a line longer than 998 octets: not even 8BITMIME
 *                       can carry it (RFC 5321 §4.5.3.1.6, RFC 6152 §2)
 */
record ContentScan(boolean eightBitHeader, boolean eightBitBody, boolean binary) {

    private static final int MAX_LINE_OCTETS = 998;

    static ContentScan of(MessageSource message) throws IOException {
        boolean inHeader = true;
        boolean eightBitHeader = false;
        boolean eightBitBody = false;
        boolean binary = false;
        int lineLength = 0;
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = message.openStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    int b = buf[i] & 0xff;
                    if (b == '\n' || b == '\r') {
                        // An empty line (two line endings in a row) ends the header section.
                        if (b == '\n' && lineLength == 0) {
                            inHeader = false;
                        }
                        if (b == '\n') {
                            lineLength = 0;
                        }
                        continue;
                    }
                    lineLength++;
                    if (b >= 0x80) {
                        if (inHeader) {
                            eightBitHeader = true;
                        } else {
                            eightBitBody = true;
                        }
                    }
                    if (b == 0 || lineLength > MAX_LINE_OCTETS) {
                        binary = true;
                    }
                }
            }
        }
        return new ContentScan(eightBitHeader, eightBitBody, binary);
    }
}
