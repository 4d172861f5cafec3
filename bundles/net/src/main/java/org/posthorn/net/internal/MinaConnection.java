package org.posthorn.net.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.DefaultWriteFuture;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.posthorn.net.BareLineEndingException;
import org.posthorn.net.BareLineEndings;
import org.posthorn.net.Connection;
import org.posthorn.net.Line;
import org.posthorn.net.LineTooLongException;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.Rejection;
import org.posthorn.net.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A {@link Connection} over one MINA session, and the serial worker that drives its
 * {@link ProtocolSession}.
 *
 * <p>Two kinds of thread meet here. MINA's I/O thread appends received bytes to
 * {@link #inbound} and reports the session's end; it never decodes and never calls the
 * protocol. The worker (one pool thread at a time per connection) takes tasks and lines off
 * the front and runs the callbacks; the protocol's blocking reads decode from the same buffer
 * on the worker, which is what makes mode switches exact. {@link #lock} guards the input side
 * and the worker's scheduling; {@link #writeLock} guards the count of writes in flight.
 */
public final class MinaConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(MinaConnection.class);

    static final String TLS_FILTER = "tls";
    /** Size of one write handed to MINA; also fits one TLS record. */
    static final int OUTPUT_CHUNK = 16 * 1024;
    /** Writes in flight at most; well below SslFilter's limit of 64 queued messages. */
    static final int MAX_PENDING_WRITES = 8;
    static final long MAX_PENDING_BYTES = (long) MAX_PENDING_WRITES * OUTPUT_CHUNK;
    private static final int MIN_INPUT_HIGH_WATER = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private final NetServer server;
    private final Listener listener;
    private final IoSession session;
    private final String id;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Map<String, String> logContext;
    /** Input buffered beyond this suspends reading from the socket; below {@link #lowWater} resumes it. */
    private final int highWater;
    private final int lowWater;
    private volatile long idleTimeoutNanos;

    private final Object lock = new Object();
    // guarded by lock
    private final InboundBuffer inbound = new InboundBuffer();
    private final LineDecoder lines;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean scheduled;
    private boolean waitingForInput;
    private long waitingSince;
    private long lastInputAt;
    private boolean readSuspended;
    private boolean inputEnded;
    private boolean transportClosed;
    /** Why reads fail from now on: the idle timeout or shutdown; {@code null} normally. */
    private String interruption;
    private boolean closeRequested;
    private long closeRequestedAt;
    /** After STARTTLS, until the first decrypted input: plain text arriving now is an injection. */
    private boolean awaitingTls;
    private Rejection rejection;
    private boolean refused;
    private int peakInputBuffered;

    /** The thread running this connection's callbacks, or {@code null} between runs. */
    private volatile Thread worker;
    private volatile boolean tlsStarted;
    private volatile boolean closing;

    // worker only
    private Map<String, String> workerContext;
    private ProtocolSession protocol;
    private BodyStream body;
    private IoBuffer output;

    private final Object writeLock = new Object();
    // guarded by writeLock
    private int pendingWrites;
    private long pendingBytes;
    private long peakPendingBytes;
    private long lastWriteProgress;
    private boolean closeWhenWritten;
    private boolean writesClosed;

    MinaConnection(NetServer server, Listener listener, IoSession session, int maxLineLength, Duration idleTimeout) {
        this.server = server;
        this.listener = listener;
        this.session = session;
        this.id = server.name() + "-" + Long.toString(session.getId(), 36);
        this.remote = (InetSocketAddress) session.getRemoteAddress();
        this.local = (InetSocketAddress) session.getLocalAddress();
        this.lines = new LineDecoder(maxLineLength);
        this.highWater = Math.max(MIN_INPUT_HIGH_WATER, 2 * (maxLineLength + 2));
        this.lowWater = highWater / 2;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.logContext = Map.of(LogContext.SESSION, id,
                LogContext.REMOTE, remote.getAddress().getHostAddress() + ":" + remote.getPort(),
                LogContext.LISTENER, listener.spec().name());
        this.workerContext = logContext;
        this.lastInputAt = System.nanoTime();
    }

    // ------------------------------------------------------------------ identity

    @Override
    public String id() {
        return id;
    }

    @Override
    public ListenerSpec listener() {
        return listener.spec();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** Runs {@code action} (logging on a transport thread) with this connection's MDC entries. */
    void logged(Runnable action) {
        LogContext.run(logContext, action);
    }

    // ------------------------------------------------------------------ transport events (I/O thread)

    /** Implicit TLS: the filter goes first in the chain before any byte is read. */
    void beginImplicitTls(SslFilter filter) {
        session.getFilterChain().addFirst(TLS_FILTER, filter);
        tlsStarted = true;
    }

    /** Closed before the protocol starts (implicit TLS without material, server stopping). */
    void refuse() {
        synchronized (lock) {
            refused = true;
        }
        session.closeNow();
    }

    void admitted(Rejection reason) {
        synchronized (lock) {
            rejection = reason;
        }
    }

    boolean isAdmitted() {
        synchronized (lock) {
            return !refused && rejection == null;
        }
    }

    /** Queues the first callback: the session is made and greets, or hears it is over a limit. */
    void start() {
        synchronized (lock) {
            if (refused || transportClosed) {
                return;
            }
            tasks.add(this::open);
            scheduleLocked();
        }
    }

    void received(IoBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        listener.counters().bytesIn(bytes.length);
        synchronized (lock) {
            if (awaitingTls) {
                if (session.getAttribute(SslFilter.SSL_SECURED) == null) {
                    // sent before the client could have seen the STARTTLS reply: never interpret it
                    logged(() -> LOG.warn("Discarding {} plain-text bytes received after STARTTLS", bytes.length));
                    return;
                }
                awaitingTls = false;
            }
            if (refused || rejection != null || closeRequested || transportClosed) {
                return;
            }
            inbound.append(bytes);
            lastInputAt = System.nanoTime();
            peakInputBuffered = Math.max(peakInputBuffered, inbound.size());
            if (!readSuspended && inbound.size() >= highWater) {
                readSuspended = true;
                session.suspendRead();
            }
            scheduleLocked();
        }
    }

    /** The client shut down its sending side: what it sent is still processed, then we close. */
    void inputClosed() {
        if (tlsStarted && session.getAttribute(SslFilter.SSL_SECURED) == null) {
            // The handshake needs the client's records, so it can never finish now, and the
            // greeting SslFilter holds back for it would keep the session open until the idle timeout.
            logged(() -> LOG.debug("Client closed before the TLS handshake completed"));
            session.closeNow();
            return;
        }
        synchronized (lock) {
            inputEnded = true;
            // MINA reports end-of-stream at every select while reads are on
            readSuspended = true;
            session.suspendRead();
            scheduleLocked();
        }
    }

    void transportClosed() {
        synchronized (lock) {
            transportClosed = true;
            inputEnded = true;
            closing = true;
            tasks.clear();
            tasks.add(this::closedCallback);
            scheduleLocked();
        }
        synchronized (writeLock) {
            writesClosed = true;
            writeLock.notifyAll();
        }
    }

    void failed(Throwable cause) {
        logged(() -> {
            if (causedBy(cause, SSLException.class)) {
                LOG.info("TLS failed, closing: {}", cause.getMessage());
                listener.counters().error();
            } else if (cause instanceof IOException) {
                LOG.debug("Connection failed: {}", cause.toString());
            } else {
                LOG.warn("Unexpected error on the connection, closing it", cause);
                listener.counters().error();
            }
        });
        session.closeNow();
    }

    void tlsEstablished() {
        logged(() -> tlsSession().ifPresent(
                tls -> LOG.debug("TLS established: {} {}", tls.getProtocol(), tls.getCipherSuite())));
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ timer and shutdown (any thread)

    /** Fires the idle timeout when the connection has waited too long for its client. */
    void checkIdle(long now) {
        boolean abort = false;
        synchronized (lock) {
            if (transportClosed) {
                return;
            }
            if (closeRequested) {
                // the client does not take our last words
                abort = now - closeRequestedAt >= idleTimeoutNanos;
            } else if (waitingForInput && interruption == null
                    && now - Math.max(waitingSince, lastInputAt) >= idleTimeoutNanos) {
                interruption = "idle timeout";
                tasks.add(this::idle);
                scheduleLocked();
            }
        }
        if (abort) {
            session.closeNow();
        }
    }

    /** Asks the session to say goodbye, then closes. */
    void shutdown() {
        synchronized (lock) {
            if (transportClosed || closeRequested || interruption != null) {
                return;
            }
            interruption = "server shutting down";
            tasks.add(this::shuttingDown);
            scheduleLocked();
        }
    }

    void abort() {
        session.closeNow();
    }

    // ------------------------------------------------------------------ the worker

    /** Makes sure a worker runs, or wakes the one that waits for input. Holding {@link #lock}. */
    private void scheduleLocked() {
        if (scheduled) {
            lock.notifyAll();
            return;
        }
        scheduled = true;
        waitingForInput = false;
        try {
            server.workers().execute(this::work);
        } catch (RejectedExecutionException e) {
            scheduled = false;
            session.closeNow();
        }
    }

    private void work() {
        synchronized (lock) {
            worker = Thread.currentThread();
        }
        MDC.setContextMap(workerContext);
        boolean released = false;
        try {
            for (;;) {
                Runnable next;
                synchronized (lock) {
                    next = nextLocked();
                }
                if (next == null) {
                    sendQuietly();
                    synchronized (lock) {
                        next = nextLocked();
                        if (next == null) {
                            releaseWorkerLocked();
                            released = true;
                            return;
                        }
                    }
                }
                next.run();
            }
        } finally {
            if (!released) {
                // only a bug gets here: callbacks catch what protocols throw
                synchronized (lock) {
                    releaseWorkerLocked();
                }
                session.closeNow();
            }
        }
    }

    /** The worker stops; the next one picks up the log context the protocol left. Holding {@link #lock}. */
    private void releaseWorkerLocked() {
        Map<String, String> context = MDC.getCopyOfContextMap();
        workerContext = context == null ? logContext : context;
        MDC.clear();
        worker = null;
        scheduled = false;
        waitingForInput = true;
        waitingSince = System.nanoTime();
    }

    /** The next thing for the worker to do: a task, else a line to deliver; or {@code null}. */
    private Runnable nextLocked() {
        Runnable task = tasks.poll();
        if (task != null) {
            return task;
        }
        if (protocol == null || closeRequested || transportClosed || interruption != null) {
            return null;
        }
        try {
            Line line = lines.next(inbound);
            if (line != null) {
                return () -> callback(() -> protocol.lineReceived(line));
            }
        } catch (LineTooLongException e) {
            return () -> callback(protocol::lineTooLong);
        } finally {
            consumedLocked();
        }
        if (inputEnded) {
            return this::requestClose;
        }
        return null;
    }

    private void open() {
        try {
            protocol = Objects.requireNonNull(server.sessions().create(this), "SessionFactory returned null");
        } catch (RuntimeException e) {
            LOG.error("Could not create the {} session; closing the connection", server.name(), e);
            listener.counters().error();
            requestClose();
            return;
        }
        Rejection reason;
        synchronized (lock) {
            reason = rejection;
        }
        if (reason == null) {
            LOG.debug("Connected");
            callback(protocol::connected);
        } else {
            LOG.info("Refusing connection: {}", reason);
            callback(() -> protocol.tooManyConnections(reason));
            requestClose();
        }
    }

    private void idle() {
        LOG.info("Idle timeout ({}); closing", Duration.ofNanos(idleTimeoutNanos));
        if (protocol != null) {
            callback(protocol::idleTimeout);
        }
        requestClose();
    }

    private void shuttingDown() {
        if (protocol != null && rejection == null) {
            callback(protocol::shuttingDown);
        }
        requestClose();
    }

    private void closedCallback() {
        LOG.debug("Closed");
        output = null;
        body = null;
        if (protocol != null) {
            try {
                protocol.closed();
            } catch (RuntimeException e) {
                LOG.warn("{} session failed while closing", server.name(), e);
            }
        }
        attributes.clear();
    }

    /** An I/O action of the protocol's. */
    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    /** Runs one protocol callback; afterwards skips what it left of a body it opened. */
    private void callback(Action action) {
        try {
            action.run();
            finishBody();
        } catch (InterruptedIOException e) {
            boolean expected;
            synchronized (lock) {
                expected = interruption != null;
            }
            if (expected) {
                LOG.debug("Read given up: {}", e.getMessage());
            } else {
                LOG.debug("Closing: {}", e.toString());
                requestClose();
            }
        } catch (IOException e) {
            LOG.debug("Closing: {}", e.toString());
            requestClose();
        } catch (RuntimeException | Error e) {
            LOG.error("{} session failed; closing the connection", server.name(), e);
            listener.counters().error();
            requestClose();
        }
    }

    /** No more input; send what is written, then close. Worker thread. */
    private void requestClose() {
        synchronized (lock) {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            closing = true;
            closeRequestedAt = System.nanoTime();
            inbound.clear();
            lock.notifyAll();
        }
        sendQuietly();
        boolean now;
        synchronized (writeLock) {
            closeWhenWritten = true;
            now = pendingWrites == 0;
        }
        if (now) {
            session.closeOnFlush();
        }
    }

    private void requireWorker() {
        if (Thread.currentThread() != worker) {
            throw new IllegalStateException("Connection " + id + ": call this from the connection's own thread"
                    + " (a ProtocolSession callback, or a task given to execute())");
        }
    }

    // ------------------------------------------------------------------ output

    @Override
    public void writeLine(String line) throws IOException {
        write(encodeLine(line));
    }

    private static byte[] encodeLine(String line) {
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line must not contain CR or LF: " + line.replace("\r", "\\r").replace("\n", "\\n"));
        }
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[text.length + 2];
        System.arraycopy(text, 0, bytes, 0, text.length);
        System.arraycopy(CRLF, 0, bytes, text.length, 2);
        return bytes;
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireWorker();
        requireOpen();
        int done = 0;
        while (done < length) {
            if (output == null) {
                output = IoBuffer.allocate(OUTPUT_CHUNK);
            }
            int n = Math.min(length - done, output.remaining());
            output.put(bytes, offset + done, n);
            done += n;
            if (!output.hasRemaining()) {
                send();
            }
        }
    }

    @Override
    public long write(InputStream in) throws IOException {
        requireWorker();
        requireOpen();
        send();
        long total = 0;
        for (;;) {
            byte[] chunk = new byte[OUTPUT_CHUNK];
            int filled = 0;
            int n = 0;
            while (filled < chunk.length && (n = in.read(chunk, filled, chunk.length - filled)) >= 0) {
                filled += n;
            }
            if (filled > 0) {
                transmit(IoBuffer.wrap(chunk, 0, filled), false);
                total += filled;
            }
            if (n < 0) {
                return total;
            }
        }
    }

    @Override
    public void flush() throws IOException {
        requireWorker();
        send();
    }

    private void requireOpen() throws IOException {
        if (closing) {
            throw new IOException("connection " + id + " is closed");
        }
    }

    /** Hands the output buffer to MINA. Worker thread. */
    private void send() throws IOException {
        if (output == null || output.position() == 0) {
            return;
        }
        IoBuffer buffer = output.flip();
        output = null;
        transmit(buffer, false);
    }

    private void sendQuietly() {
        try {
            send();
        } catch (IOException e) {
            LOG.debug("Could not send: {}", e.toString());
            output = null;
        }
    }

    /** Writes one buffer, first waiting while too much is in flight to a slow client. */
    private void transmit(IoBuffer buffer, boolean bypassTls) throws IOException {
        int size = buffer.remaining();
        synchronized (writeLock) {
            long waitingFrom = System.nanoTime();
            while (!writesClosed && pendingWrites > 0
                    && (pendingWrites >= MAX_PENDING_WRITES || pendingBytes + size > MAX_PENDING_BYTES)) {
                long stalledFor = System.nanoTime() - Math.max(waitingFrom, lastWriteProgress);
                long left = idleTimeoutNanos - stalledFor;
                if (left <= 0) {
                    throw new IOException("client " + id + " stopped reading");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(writeLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while writing");
                }
            }
            if (writesClosed) {
                throw new IOException("connection " + id + " is closed");
            }
            pendingWrites++;
            pendingBytes += size;
            peakPendingBytes = Math.max(peakPendingBytes, pendingBytes);
        }
        WriteFuture future;
        if (bypassTls) {
            future = new DefaultWriteFuture(session);
            session.getFilterChain().fireFilterWrite(new PlaintextWriteRequest(buffer, future));
        } else {
            future = session.write(buffer);
        }
        future.addListener(done -> written(size, ((WriteFuture) done).isWritten()));
    }

    private void written(int size, boolean success) {
        boolean close;
        synchronized (writeLock) {
            pendingWrites--;
            pendingBytes -= size;
            lastWriteProgress = System.nanoTime();
            writeLock.notifyAll();
            close = closeWhenWritten && pendingWrites == 0;
        }
        if (success) {
            listener.counters().bytesOut(size);
        }
        if (close) {
            session.closeOnFlush();
        }
    }

    // ------------------------------------------------------------------ input inside callbacks

    @Override
    public Line readLine() throws IOException {
        requireWorker();
        finishBody();
        for (;;) {
            long seen;
            synchronized (lock) {
                checkReadableLocked();
                try {
                    Line line = lines.next(inbound);
                    if (line != null) {
                        return line;
                    }
                } finally {
                    consumedLocked();
                }
                if (inputEnded) {
                    throw new EOFException("client closed the connection");
                }
                seen = inbound.appended();
            }
            awaitInput(seen);
        }
    }

    @Override
    public InputStream readCounted(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        return open(new CountedBody(length));
    }

    @Override
    public InputStream readDotStuffed(BareLineEndings bareLineEndings) {
        return open(new DotStuffedBody(new DotUnstuffer(Objects.requireNonNull(bareLineEndings, "bareLineEndings"))));
    }

    private InputStream open(BodyStream stream) {
        requireWorker();
        try {
            finishBody();
        } catch (IOException e) {
            // the previous body could not be skipped: the new one fails on its first read
            LOG.debug("Could not skip the rest of a body: {}", e.toString());
        }
        body = stream;
        return stream;
    }

    /** Skips what a callback left of the body it opened, so lines resume after it. */
    private void finishBody() throws IOException {
        BodyStream current = body;
        body = null;
        boolean readable;
        synchronized (lock) {
            readable = interruption == null && !closeRequested && !transportClosed;
        }
        if (current != null && readable) {
            current.skipRest();
        }
    }

    private void checkReadableLocked() throws IOException {
        if (interruption != null) {
            throw new InterruptedIOException(interruption);
        }
        if (closeRequested) {
            throw new IOException("connection " + id + " is closed");
        }
    }

    /** After input was taken off the buffer: resume reading the socket once it has drained enough. */
    private void consumedLocked() {
        if (readSuspended && !inputEnded && inbound.size() <= lowWater) {
            readSuspended = false;
            session.resumeRead();
            wakeProcessor();
        }
    }

    /**
     * Makes the I/O thread notice a change of interest at once. MINA 2.2's resumeRead() from
     * another thread only changes the selection key, which the JDK applies at the next select,
     * up to a second away (NioProcessor's select timeout); flush() wakes the selector.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void wakeProcessor() {
        IoProcessor processor = ((AbstractIoSession) session).getProcessor();
        processor.flush(session);
    }

    /** Waits until input beyond {@code seen} arrives, or there is no point waiting; sends output first. */
    private void awaitInput(long seen) throws IOException {
        if (Thread.currentThread() == worker) {
            send();
        }
        synchronized (lock) {
            waitingForInput = true;
            waitingSince = System.nanoTime();
            try {
                while (inbound.appended() == seen && !inputEnded && interruption == null && !closeRequested) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading");
            } finally {
                waitingForInput = false;
            }
        }
    }

    /** A body read from the input buffer in its own mode; it may be read from any thread. */
    private abstract class BodyStream extends InputStream {

        /** Guarded by {@link #lock}. */
        boolean finished;

        /** Bytes produced, 0 if more input is needed, -1 at the end. Holding {@link #lock}. */
        abstract int decodeLocked(byte[] bytes, int offset, int length) throws IOException;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            for (;;) {
                long seen;
                synchronized (lock) {
                    if (finished) {
                        return -1;
                    }
                    if (length == 0) {
                        return 0;
                    }
                    checkReadableLocked();
                    int n;
                    try {
                        n = decodeLocked(bytes, offset, length);
                    } catch (IOException e) {
                        finished = true;
                        throw e;
                    } finally {
                        consumedLocked();
                    }
                    if (n < 0) {
                        finished = true;
                    }
                    if (n != 0) {
                        return n;
                    }
                    if (!inbound.isEmpty()) {
                        continue;
                    }
                    if (inputEnded) {
                        throw new EOFException("client closed the connection inside a body");
                    }
                    seen = inbound.appended();
                }
                awaitInput(seen);
            }
        }

        /** Reads and drops the rest. */
        void skipRest() throws IOException {
            byte[] scratch = new byte[8192];
            try {
                while (read(scratch, 0, scratch.length) >= 0) {
                    // discard
                }
            } catch (BareLineEndingException e) {
                // the protocol left this body unread; its verdict no longer matters
            }
        }

        @Override
        public void close() throws IOException {
            skipRest();
        }
    }

    private final class CountedBody extends BodyStream {
        private long remaining;

        CountedBody(long length) {
            this.remaining = length;
        }

        @Override
        int decodeLocked(byte[] bytes, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            int n = inbound.read(bytes, offset, (int) Math.min(length, remaining));
            remaining -= n;
            return n;
        }
    }

    private final class DotStuffedBody extends BodyStream {
        private final DotUnstuffer unstuffer;

        DotStuffedBody(DotUnstuffer unstuffer) {
            this.unstuffer = unstuffer;
        }

        @Override
        int decodeLocked(byte[] bytes, int offset, int length) throws IOException {
            return unstuffer.decode(inbound, bytes, offset, length);
        }
    }

    // ------------------------------------------------------------------ TLS

    @Override
    public boolean tlsAvailable() {
        return listener.spec().tls() == TlsMode.STARTTLS && !tlsStarted && server.tls().available();
    }

    @Override
    public boolean startTls(String reply) throws IOException {
        requireWorker();
        if (listener.spec().tls() != TlsMode.STARTTLS) {
            throw new IllegalStateException("listener '" + listener.spec().name() + "' does not offer STARTTLS");
        }
        if (tlsStarted) {
            throw new IllegalStateException("TLS is already active");
        }
        byte[] line = encodeLine(reply);
        requireOpen();
        Optional<SslFilter> filter = server.tls().newFilter();
        if (filter.isEmpty()) {
            return false;
        }
        finishBody();
        send();
        synchronized (lock) {
            // RFC 3207 §4.2, CVE-2011-0411: what the client pipelined after STARTTLS is not to be trusted
            int dropped = inbound.clear();
            lines.reset();
            if (dropped > 0) {
                LOG.warn("Discarding {} plain-text bytes pipelined after STARTTLS", dropped);
            }
            awaitingTls = true;
            consumedLocked();
        }
        tlsStarted = true;
        // the filter first, the reply after it: whatever the client sends once it has read
        // the reply reaches the filter
        session.getFilterChain().addFirst(TLS_FILTER, filter.get());
        transmit(IoBuffer.wrap(line), true);
        LOG.debug("STARTTLS: handshake expected");
        return true;
    }

    @Override
    public boolean tlsActive() {
        return tlsSession().isPresent();
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable((SSLSession) session.getAttribute(SslFilter.SSL_SECURED));
    }

    // ------------------------------------------------------------------ lifetime

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        synchronized (lock) {
            if (transportClosed || closeRequested) {
                LOG.debug("Connection {} is closed; task dropped", id);
                return;
            }
            tasks.add(() -> callback(task::run));
            scheduleLocked();
        }
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
        }
        idleTimeoutNanos = timeout.toNanos();
    }

    @Override
    public void close() {
        if (Thread.currentThread() == worker) {
            requestClose();
            return;
        }
        synchronized (lock) {
            if (!transportClosed && !closeRequested) {
                tasks.add(this::requestClose);
                scheduleLocked();
            }
        }
    }

    // ------------------------------------------------------------------ for tests and admins

    /** The most input this connection ever held unconsumed. */
    public int peakInputBuffered() {
        synchronized (lock) {
            return peakInputBuffered;
        }
    }

    /** The most output this connection ever had in flight. */
    public long peakPendingOutput() {
        synchronized (writeLock) {
            return peakPendingBytes;
        }
    }

    /** The input buffered beyond which reading from the socket is suspended. */
    public int inputHighWater() {
        return highWater;
    }

    @Override
    public String toString() {
        return "Connection " + id + " from " + remote;
    }
}
