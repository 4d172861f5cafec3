package org.posthorn.net.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ListenerStatus;
import org.posthorn.net.Rejection;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.SessionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link org.posthorn.net.ProtocolServer} runs on: one MINA acceptor per listener,
 * sharing one pool of I/O processors; a pool of worker threads for the connections' callbacks;
 * a timer for idle timeouts; the connection limits.
 */
public final class NetServer {

    private static final Logger LOG = LoggerFactory.getLogger(NetServer.class);
    private static final long TIMER_PERIOD_MILLIS = 250;
    /** After the grace period, how long closed connections get to finish their last callback. */
    private static final long ABORT_WAIT_MILLIS = 1000;

    private final String name;
    private final SessionFactory sessions;
    private final TlsSource tls;
    private final SimpleIoProcessorPool<NioSession> processors;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final Set<MinaConnection> connections = ConcurrentHashMap.newKeySet();
    private final Object connectionsChanged = new Object();
    private final Map<String, Counters> counters = new ConcurrentHashMap<>();

    private final Object admission = new Object();
    // guarded by admission
    private int admitted;
    private final Map<InetAddress, Integer> admittedPerAddress = new HashMap<>();

    private volatile ServerSettings settings;
    private volatile boolean closing;
    // guarded by this
    private final Map<String, Listener> listeners = new LinkedHashMap<>();

    private NetServer(ServerSettings settings, SessionFactory sessions, TlsSource tls) {
        this.name = settings.name();
        this.settings = settings;
        this.sessions = sessions;
        this.tls = tls;
        this.processors = new SimpleIoProcessorPool<>(NioProcessor.class);
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("posthorn-" + name + "-"));
        this.timer = new ScheduledThreadPoolExecutor(1, threads("posthorn-" + name + "-timer-"));
    }

    public static NetServer start(ServerSettings settings, SessionFactory sessions,
                                  Supplier<Optional<TlsMaterial>> tls) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(sessions, "sessions");
        NetServer server = new NetServer(settings, sessions, new TlsSource(tls));
        server.timer.scheduleWithFixedDelay(server::checkIdle, TIMER_PERIOD_MILLIS, TIMER_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
        server.reconfigure(settings);
        return server;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    String name() {
        return name;
    }

    public ServerSettings settings() {
        return settings;
    }

    SessionFactory sessions() {
        return sessions;
    }

    TlsSource tls() {
        return tls;
    }

    SimpleIoProcessorPool<NioSession> processors() {
        return processors;
    }

    Executor workers() {
        return workers;
    }

    boolean isClosing() {
        return closing;
    }

    // ------------------------------------------------------------------ listeners

    public synchronized void reconfigure(ServerSettings next) {
        Objects.requireNonNull(next, "settings");
        if (closing) {
            throw new IllegalStateException(name + " is closed");
        }
        settings = next;
        Map<String, ListenerSpec> wanted = new LinkedHashMap<>();
        next.listeners().forEach(spec -> wanted.put(spec.name(), spec));
        // unbind first, so a listener that moves to a port another one leaves can take it
        listeners.values().removeIf(listener -> {
            boolean keep = listener.spec().equals(wanted.get(listener.spec().name())) && listener.isBound();
            if (!keep) {
                listener.unbind();
            }
            return !keep;
        });
        Map<String, Listener> ordered = new LinkedHashMap<>();
        for (ListenerSpec spec : wanted.values()) {
            Listener listener = listeners.get(spec.name());
            if (listener == null) {
                listener = new Listener(this, spec, counters.computeIfAbsent(spec.name(), n -> new Counters()));
                listener.bind();
            }
            ordered.put(spec.name(), listener);
        }
        listeners.clear();
        listeners.putAll(ordered);
    }

    public synchronized List<ListenerStatus> listeners() {
        return listeners.values().stream().map(Listener::status).toList();
    }

    // ------------------------------------------------------------------ connections

    void register(MinaConnection connection) {
        connections.add(connection);
    }

    void unregister(MinaConnection connection) {
        if (connection.isAdmitted()) {
            release(connection.remoteAddress().getAddress());
        }
        connections.remove(connection);
        synchronized (connectionsChanged) {
            connectionsChanged.notifyAll();
        }
    }

    /** Counts the connection in, or says which limit it is over. */
    Rejection admit(MinaConnection connection) {
        ServerSettings current = settings;
        InetAddress address = connection.remoteAddress().getAddress();
        synchronized (admission) {
            if (admitted >= current.maxConnections()) {
                return Rejection.TOO_MANY_CONNECTIONS;
            }
            int fromAddress = admittedPerAddress.getOrDefault(address, 0);
            if (fromAddress >= current.maxConnectionsPerAddress()) {
                return Rejection.TOO_MANY_FROM_ADDRESS;
            }
            admitted++;
            admittedPerAddress.put(address, fromAddress + 1);
            return null;
        }
    }

    private void release(InetAddress address) {
        synchronized (admission) {
            admitted--;
            admittedPerAddress.computeIfPresent(address, (a, count) -> count == 1 ? null : count - 1);
        }
    }

    private void checkIdle() {
        long now = System.nanoTime();
        for (MinaConnection connection : connections) {
            try {
                connection.checkIdle(now);
            } catch (RuntimeException e) {
                LOG.warn("{}: idle check failed for {}", name, connection, e);
            }
        }
    }

    // ------------------------------------------------------------------ shutdown

    public void close() {
        List<Listener> bound;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            bound = new ArrayList<>(listeners.values());
            listeners.clear();
        }
        bound.forEach(Listener::unbind);
        int open = connections.size();
        if (open > 0) {
            LOG.info("{}: stopping; saying goodbye to {} connections", name, open);
        }
        connections.forEach(MinaConnection::shutdown);
        if (!awaitNoConnections(settings.shutdownGrace().toMillis())) {
            LOG.warn("{}: {} connections still open after the shutdown grace period; closing them", name,
                    connections.size());
            connections.forEach(MinaConnection::abort);
            awaitNoConnections(ABORT_WAIT_MILLIS);
        }
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(ABORT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: session threads still busy after shutdown; interrupting them", name);
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        processors.dispose();
        LOG.info("{}: stopped", name);
    }

    private boolean awaitNoConnections(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (connectionsChanged) {
            while (!connections.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(connectionsChanged, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return connections.isEmpty();
                }
            }
            return true;
        }
    }
}
