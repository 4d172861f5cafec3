package org.posthorn.queue.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RemoteDelivery} over SMTP (RFC 5321): to the destination domain's mail exchangers, or
 * to the configured smarthost. The calling thread does the work with blocking sockets; at most
 * {@link RemoteDeliveryConfig#maxConnectionsPerDomain()} calls run per domain at once, a
 * further caller waits up to {@link RemoteDeliveryConfig#connectionWait()} and is then deferred.
 * Idle connections are kept briefly for the next message to the same host. Thread-safe;
 * {@link #close()} when done.
 */
public final class SmtpRemoteDelivery implements RemoteDelivery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRemoteDelivery.class);
    /**
     * RFC 5321 §4.5.3.1.8: a server must accept 100 recipients per transaction, and may refuse
     * more; smaller transactions also keep a pipelined batch well inside the socket buffers
     * (RFC 2920 §3.1, the deadlock of a client that writes while the server cannot).
     */
    static final int MAX_RECIPIENTS_PER_TRANSACTION = 100;

    private final RemoteDeliveryConfig config;
    private final RoutePlanner planner;
    private final SessionOpener opener;
    private final ConnectionPool pool;
    private final DomainSlots slots;
    private final ScheduledThreadPoolExecutor timer;
    private volatile boolean closed;

    /**
     * @param config    the settings
     * @param resolver  DNS for MX and address lookups (usually {@link DnsJavaResolver#of})
     * @param clientTls the TLS context used where a certificate must be valid (required TLS with
     *                  verification, the smarthost): its trust managers decide which chains are
     *                  valid; null for the JVM's default context (the JDK's CA certificates).
     *                  Opportunistic TLS does not use it: it accepts any certificate (RFC 7435).
     */
    public SmtpRemoteDelivery(RemoteDeliveryConfig config, DnsResolver resolver, Supplier<SSLContext> clientTls) {
        this(config, resolver, clientTls, new Random());
    }

    SmtpRemoteDelivery(RemoteDeliveryConfig config, DnsResolver resolver, Supplier<SSLContext> clientTls, Random random) {
        this.config = Objects.requireNonNull(config, "config");
        LocalHosts local = LocalHosts.of(config);
        this.planner = new RoutePlanner(Objects.requireNonNull(resolver, "resolver"), local, random);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "posthorn-smtp-client-timer");
            t.setDaemon(true);
            return t;
        });
        // Every data block schedules a watchdog and cancels it; cancelled ones must not pile up.
        timer.setRemoveOnCancelPolicy(true);
        this.opener = new SessionOpener(config, local, anyCertificate(),
                clientTls != null ? clientTls : SmtpRemoteDelivery::defaultContext, timer);
        this.pool = new ConnectionPool(config.idleKeep(), config.maxConnectionsPerDomain(),
                config.maxMessagesPerConnection(), timer);
        this.slots = new DomainSlots(config.maxConnectionsPerDomain());
        LOG.info("Remote delivery {}", config.smarthost() != null ? "through smarthost " + config.smarthost()
                : "to MX hosts, TLS " + config.tlsPolicy());
    }

    @Override
    public List<RecipientOutcome> deliver(String domain, Envelope envelope, List<Recipient> recipients,
                                          MessageSource message) {
        if (recipients.isEmpty()) {
            return List.of();
        }
        if (closed) {
            return Verdict.deferred("4.3.0", "remote delivery is shutting down").outcomes(recipients);
        }
        Smarthost smarthost = config.smarthost();
        String destination = smarthost != null ? "smarthost " + smarthost.host() : domain;
        try {
            if (!slots.acquire(destination, config.connectionWait())) {
                return Verdict.deferred("4.4.5", "too many concurrent deliveries to " + destination).outcomes(recipients);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.deferred("4.3.0", "delivery interrupted").outcomes(recipients);
        }
        try {
            Route route = smarthost != null ? smarthostRoute(smarthost) : planner.plan(domain);
            List<RecipientOutcome> outcomes = new ArrayList<>(recipients.size());
            if (route instanceof Route.Hosts hosts) {
                int port = smarthost != null ? smarthost.port() : config.mxPort();
                // One transaction per 100 recipients, each over the connection the previous one kept.
                for (int i = 0; i < recipients.size(); i += MAX_RECIPIENTS_PER_TRANSACTION) {
                    int end = Math.min(recipients.size(), i + MAX_RECIPIENTS_PER_TRANSACTION);
                    List<Recipient> part = recipients.subList(i, end);
                    outcomes.addAll(deliver(hosts.hosts(), port, new MessageTransfer(config, envelope, part, message)));
                }
            } else {
                outcomes.addAll(((Route.Unroutable) route).verdict().outcomes(recipients));
            }
            outcomes.forEach(o -> LOG.info("to=<{}> relay={} status={} ({} {} {})", o.recipient().address(),
                    o.remoteHost() == null ? "none" : o.remoteHost(), o.status(), o.replyCode(), o.enhancedCode(),
                    o.diagnostic()));
            return outcomes;
        } catch (RuntimeException e) {
            LOG.error("Remote delivery to {} failed unexpectedly", domain, e);
            return Verdict.deferred("4.3.0", "internal error in remote delivery: " + e).outcomes(recipients);
        } finally {
            slots.release(destination);
        }
    }

    /**
     * Tries the hosts in order, each first over an idle connection if one is kept, then at each
     * of its addresses, until one gives a definitive answer.
     */
    private List<RecipientOutcome> deliver(List<MailHost> hosts, int port, MessageTransfer transfer) {
        Verdict last = null;
        for (MailHost host : pool.preferConnected(hosts, port)) {
            SmtpConnection kept = pool.take(host, port);
            if (kept != null && stillAlive(kept)) {
                try {
                    return transfer(kept, transfer);
                } catch (AttemptFailed f) {
                    if (!f.tryNextHost()) {
                        return f.verdict().outcomes(transfer.recipients());
                    }
                    LOG.debug("{}: reused connection failed ({}), connecting again", kept.label(), f.getMessage());
                }
            }
            for (InetAddress address : host.addresses()) {
                try {
                    return transfer(opener.open(host, address, port), transfer);
                } catch (AttemptFailed f) {
                    if (!f.tryNextHost()) {
                        return f.verdict().outcomes(transfer.recipients());
                    }
                    LOG.info("{}[{}]: {}; trying the next host", host.name(), address.getHostAddress(), f.getMessage());
                    last = f.verdict();
                }
            }
        }
        return Objects.requireNonNull(last, "no host was tried").outcomes(transfer.recipients());
    }

    private List<RecipientOutcome> transfer(SmtpConnection c, MessageTransfer transfer) throws AttemptFailed {
        try {
            return transfer.over(c);
        } finally {
            pool.release(c);
        }
    }

    /** RSET on a kept connection: the server may have timed it out meanwhile. */
    private boolean stillAlive(SmtpConnection c) {
        try {
            if (c.command("RSET", config.commandTimeout()).isPositive()) {
                return true;
            }
        } catch (IOException e) {
            LOG.debug("{}: kept connection is gone: {}", c.label(), e.getMessage());
        }
        c.close();
        return false;
    }

    private Route smarthostRoute(Smarthost smarthost) {
        InetAddress literal = IpLiteral.parse(smarthost.host());
        if (literal != null) {
            return new Route.Hosts(List.of(new MailHost(smarthost.host(), 0, List.of(literal))));
        }
        try {
            // The system resolver: a smarthost may well be named in /etc/hosts.
            List<InetAddress> addresses = Arrays.asList(InetAddress.getAllByName(smarthost.host()));
            return new Route.Hosts(List.of(new MailHost(smarthost.host(), 0, addresses)));
        } catch (UnknownHostException e) {
            return new Route.Unroutable(Verdict.deferred("4.4.3", "smarthost " + smarthost.host()
                    + " cannot be resolved: " + e.getMessage()));
        }
    }

    /** Closes the idle connections and the timer; deliveries still running are deferred. */
    @Override
    public void close() {
        closed = true;
        pool.close();
        timer.shutdownNow();
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /** RFC 7435 §1.3: opportunistic encryption authenticates nobody, so every certificate is accepted. */
    private static SSLSocketFactory anyCertificate() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyCertificate()}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available", e);
        }
    }

    private static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // accepted: see the class comment
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // accepted: see the class comment
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // accepted: see the class comment
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
