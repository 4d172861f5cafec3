package org.posthorn.queue.remote;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle SMTP connections kept for a short while per host and port, so that the next message to
 * the same host skips connect, greeting, EHLO and the TLS handshake. A kept connection expires
 * after {@code idleKeep}; one that has sent {@code maxMessages} messages is not kept. Whoever
 * takes a connection checks it is alive (RSET) before using it. Thread-safe.
 */
final class ConnectionPool {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);

    private final Duration idleKeep;
    private final int maxIdlePerHost;
    private final int maxMessages;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Deque<SmtpConnection>> idle = new HashMap<>();
    private boolean closed;

    ConnectionPool(Duration idleKeep, int maxIdlePerHost, int maxMessages, ScheduledExecutorService scheduler) {
        this.idleKeep = idleKeep;
        this.maxIdlePerHost = maxIdlePerHost;
        this.maxMessages = maxMessages;
        this.scheduler = scheduler;
    }

    /** The most recently used idle connection to this host, or null. */
    synchronized SmtpConnection take(MailHost host, int port) {
        Deque<SmtpConnection> connections = idle.get(key(host, port));
        if (connections == null) {
            return null;
        }
        SmtpConnection c = connections.pollFirst();
        if (connections.isEmpty()) {
            idle.remove(key(host, port));
        }
        return c;
    }

    /**
     * The hosts in the same order, except that within one preference, hosts with an idle
     * connection come first: RFC 5321 §5.1 leaves the order among equal preferences open.
     */
    synchronized List<MailHost> preferConnected(List<MailHost> hosts, int port) {
        List<MailHost> result = new ArrayList<>(hosts.size());
        int start = 0;
        while (start < hosts.size()) {
            int end = start;
            while (end < hosts.size() && hosts.get(end).preference() == hosts.get(start).preference()) {
                end++;
            }
            List<MailHost> group = hosts.subList(start, end);
            group.stream().filter(h -> idle.containsKey(key(h, port))).forEach(result::add);
            group.stream().filter(h -> !idle.containsKey(key(h, port))).forEach(result::add);
            start = end;
        }
        return result;
    }

    /** Keeps a connection after its transaction, or closes it if it cannot or should not be reused. */
    void release(SmtpConnection c) {
        boolean kept = false;
        if (c.isUsable() && c.messagesSent() < maxMessages && !idleKeep.isZero()) {
            synchronized (this) {
                Deque<SmtpConnection> connections = idle.computeIfAbsent(key(c.host(), c.port()), k -> new ArrayDeque<>());
                if (!closed && connections.size() < maxIdlePerHost) {
                    connections.addFirst(c);
                    kept = true;
                } else if (connections.isEmpty()) {
                    idle.remove(key(c.host(), c.port()));
                }
            }
        }
        if (kept) {
            scheduler.schedule(() -> expire(c), idleKeep.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("{}: kept idle for {}", c.label(), idleKeep);
        } else {
            c.quitAndClose();
        }
    }

    private void expire(SmtpConnection c) {
        boolean removed;
        synchronized (this) {
            Deque<SmtpConnection> connections = idle.get(key(c.host(), c.port()));
            removed = connections != null && connections.remove(c);
            if (removed && connections.isEmpty()) {
                idle.remove(key(c.host(), c.port()));
            }
        }
        if (removed) {
            LOG.debug("{}: idle connection closed", c.label());
            c.quitAndClose();
        }
    }

    /** Closes every idle connection; connections released later are closed at once. */
    void close() {
        List<SmtpConnection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(SmtpConnection::quitAndClose);
    }

    private static String key(MailHost host, int port) {
        return host.name().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
