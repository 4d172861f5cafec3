package org.posthorn.queue.remote;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A socket's output with a timeout per write: a socket write has none of its own and blocks
 * for ever when the peer stops reading. If one write does not finish in time, the socket is
 * closed, which ends the write with an exception (RFC 5321 §4.5.3.2.5: a data block must be
 * sent within 3 minutes).
 */
final class TimedOutputStream extends FilterOutputStream {

    private final ScheduledExecutorService scheduler;
    private final Duration timeout;
    private final Closeable socket;
    private volatile boolean timedOut;

    /**
     * @param socket what to close on timeout: the plain TCP socket, even under TLS, because
     *               closing an SSLSocket waits for the very write that is stuck
     */
    TimedOutputStream(OutputStream out, Closeable socket, ScheduledExecutorService scheduler, Duration timeout) {
        super(out);
        this.socket = socket;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> watchdog;
        try {
            watchdog = scheduler.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new IOException("remote delivery is shutting down", e);
        }
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            if (timedOut) {
                SocketTimeoutException timeoutException =
                        new SocketTimeoutException("sending data made no progress for " + timeout);
                timeoutException.initCause(e);
                throw timeoutException;
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    private void expire() {
        timedOut = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we can do; the writer sees the failure
        }
    }
}
