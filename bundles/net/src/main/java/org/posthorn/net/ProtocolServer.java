package org.posthorn.net;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.net.internal.NetServer;

/**
 * A running protocol server: its listeners, their connections, and the threads behind them.
 * A protocol component starts one on activation, {@link #reconfigure reconfigures} it when
 * its configuration changes, and {@link #close() closes} it on deactivation:
 *
 * <pre>{@code
 * @Activate
 * public Pop3Server(Config config) {
 *     server = ProtocolServer.start(settings(config), connection -> new Pop3Session(connection, store),
 *                                   () -> Optional.ofNullable(tls));   // a dynamic, optional reference
 * }
 * @Modified void modified(Config config) { server.reconfigure(settings(config)); }
 * @Deactivate void stop() { server.close(); }
 * }</pre>
 *
 * <p>A listener that cannot bind (port in use, a port below 1024 without the privilege) is
 * logged as an error naming it and reported by {@link #listeners()}; the others serve
 * regardless. Logging on connection threads carries {@code session}, {@code remote} and
 * {@code listener} in the SLF4J MDC. Thread-safe.
 */
public final class ProtocolServer implements AutoCloseable {

    private static final Set<ProtocolServer> RUNNING = ConcurrentHashMap.newKeySet();

    private final NetServer server;

    private ProtocolServer(NetServer server) {
        this.server = server;
    }

    /**
     * Binds the listeners and starts accepting connections.
     *
     * @param settings listeners and limits
     * @param sessions makes the protocol session for each connection
     * @param tls      the current TLS material, asked at each TLS handshake (so a renewed
     *                 certificate serves new connections at once); empty while there is none,
     *                 and then STARTTLS is not available and implicit-TLS connections are closed
     */
    public static ProtocolServer start(ServerSettings settings, SessionFactory sessions,
                                       Supplier<Optional<TlsMaterial>> tls) {
        ProtocolServer server = new ProtocolServer(NetServer.start(settings, sessions, tls));
        RUNNING.add(server);
        return server;
    }

    /**
     * The servers started in this JVM and not closed yet, ordered by {@link ServerSettings#name()}:
     * what an admin's overview (the shell's {@code status}) lists.
     */
    public static List<ProtocolServer> running() {
        return RUNNING.stream().sorted(Comparator.comparing(s -> s.settings().name())).toList();
    }

    /**
     * Applies new settings. Listeners whose spec changed are rebound, removed ones unbound,
     * new ones bound, and ones that failed to bind are tried again; unchanged listeners keep
     * listening. Open connections continue, even those of a listener that moved; limits apply
     * to new connections, and the idle timeout and line length to connections accepted from now on.
     */
    public void reconfigure(ServerSettings settings) {
        server.reconfigure(settings);
    }

    /** The settings in force. */
    public ServerSettings settings() {
        return server.settings();
    }

    /** Each configured listener's state and counters, in the order of the settings. */
    public List<ListenerStatus> listeners() {
        return server.listeners();
    }

    /**
     * Stops the server: unbinds every listener (the ports are free when this returns), lets
     * each open session say goodbye ({@link ProtocolSession#shuttingDown()}) within the
     * shutdown grace period, closes what is left and stops the threads. Idempotent.
     */
    @Override
    public void close() {
        RUNNING.remove(this);
        server.close();
    }
}
