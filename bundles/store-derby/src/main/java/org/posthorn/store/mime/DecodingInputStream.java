package org.posthorn.store.mime;

import java.io.IOException;
import java.io.InputStream;

/** Pulls encoded bytes from a stream through a {@link TransferDecoder}; closing closes the source. */
public final class DecodingInputStream extends InputStream {

    private final InputStream source;
    private final TransferDecoder decoder;
    private final byte[] in = new byte[8192];
    private byte[] buffer = new byte[16384];
    private int pos;
    private int limit;
    private boolean finished;
    private final TransferDecoder.Sink sink = this::append;

    public DecodingInputStream(InputStream source, TransferDecoder decoder) {
        this.source = source;
        this.decoder = decoder;
    }

    private void append(byte[] b, int off, int len) {
        if (limit + len > buffer.length) {
            buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, limit + len));
        }
        System.arraycopy(b, off, buffer, limit, len);
        limit += len;
    }

    private boolean fill() throws IOException {
        pos = 0;
        limit = 0;
        while (limit == 0 && !finished) {
            int n = source.read(in);
            if (n < 0) {
                decoder.finish(sink);
                finished = true;
            } else {
                decoder.write(in, 0, n, sink);
            }
        }
        return limit > 0;
    }

    @Override
    public int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buffer[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buffer, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
