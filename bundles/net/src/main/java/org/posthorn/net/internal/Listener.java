package org.posthorn.net.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;

import org.apache.mina.core.RuntimeIoException;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ListenerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configured listener: its acceptor while bound, or why it could not bind. */
final class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
    private static final int BACKLOG = 128;

    private final NetServer server;
    private final ListenerSpec spec;
    private final Counters counters;
    // guarded by the server
    private NioSocketAcceptor acceptor;
    private volatile InetSocketAddress bound;
    private volatile String failure;

    Listener(NetServer server, ListenerSpec spec, Counters counters) {
        this.server = server;
        this.spec = spec;
        this.counters = counters;
    }

    ListenerSpec spec() {
        return spec;
    }

    Counters counters() {
        return counters;
    }

    boolean isBound() {
        return bound != null;
    }

    /** Binds, or logs and records why not; the server's other listeners are not affected. */
    void bind() {
        InetSocketAddress address = ListenerSpec.ANY_HOST.equals(spec.host())
                ? new InetSocketAddress(spec.port())
                : new InetSocketAddress(spec.host(), spec.port());
        if (address.isUnresolved()) {
            fail(address, "unknown host " + spec.host());
            return;
        }
        NioSocketAcceptor candidate = new NioSocketAcceptor(server.processors());
        // SO_REUSEADDR: a restarted server binds again at once despite connections in TIME_WAIT
        candidate.setReuseAddress(true);
        // connections outlive a rebind, and on shutdown they say goodbye before they close
        candidate.setCloseOnDeactivation(false);
        candidate.setBacklog(BACKLOG);
        candidate.getSessionConfig().setTcpNoDelay(true);
        candidate.setHandler(new ListenerHandler(server, this));
        try {
            candidate.bind(address);
        } catch (IOException | RuntimeIoException e) {
            candidate.dispose(true);
            fail(address, reason(e));
            return;
        }
        acceptor = candidate;
        bound = candidate.getLocalAddress();
        failure = null;
        LOG.info("{}: listener '{}' listening on {} (TLS {})", server.name(), spec.name(), describe(bound), spec.tls());
    }

    private void fail(InetSocketAddress address, String reason) {
        failure = reason;
        LOG.error("{}: listener '{}' cannot listen on {}: {}; the other listeners keep running",
                server.name(), spec.name(), describe(address), reason);
    }

    private String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root instanceof BindException && spec.port() > 0 && spec.port() < 1024
                && message.toLowerCase(Locale.ROOT).contains("permission")) {
            return message + " (ports below 1024 need root or the CAP_NET_BIND_SERVICE capability)";
        }
        return message;
    }

    private static String describe(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Stops listening; returns once the port is free. Connections it accepted continue.
     * Disposing waits for the acceptor thread, whose last select closes the socket for good.
     */
    void unbind() {
        NioSocketAcceptor current = acceptor;
        acceptor = null;
        if (current == null) {
            return;
        }
        InetSocketAddress was = bound;
        bound = null;
        current.unbind();
        current.dispose(true);
        LOG.info("{}: listener '{}' no longer listening on {}", server.name(), spec.name(), describe(was));
    }

    ListenerStatus status() {
        return counters.status(spec, bound, failure);
    }
}
