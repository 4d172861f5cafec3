package org.posthorn.smtp.session;

import java.io.IOException;
import java.io.InputStream;

/**
 * The client's message on its way to the queue: counts it, cuts it off once it exceeds the
 * size limit (so a message is never accepted larger than advertised, and never buffered to find
 * out), and remembers why it failed, since the queue only rethrows wrapped.
 */
final class MessageStream extends BlockStream {

    /** The message grew past the limit; nothing of it may be kept. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("message larger than " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final long limit;
    private long size;
    private IOException failure;

    MessageStream(InputStream client, long limit) {
        this.in = client;
        this.limit = limit;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (failure != null) {
            throw failure;
        }
        int n;
        try {
            n = in.read(bytes, offset, length);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
        if (n > 0) {
            size += n;
            if (size > limit) {
                failure = new TooLargeException(limit);
                throw failure;
            }
        }
        return n;
    }

    /** Bytes read from the client so far. */
    long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Why reading failed (the size limit, or the client), or {@code null}. */
    IOException failure() {
        return failure;
    }
}
