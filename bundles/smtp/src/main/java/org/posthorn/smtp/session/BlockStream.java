package org.posthorn.smtp.session;

import java.io.IOException;
import java.io.InputStream;

/** An input stream that works in blocks: the single-byte read goes through the block read. */
abstract class BlockStream extends InputStream {

    @Override
    public abstract int read(byte[] bytes, int offset, int length) throws IOException;

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
