package org.posthorn.smtp.session;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's forward-confirmed reverse-DNS name: a PTR name of its address whose A/AAAA
 * records contain that address (anyone can put any name in their own PTR record). Looked up in
 * the background from the moment the client connects, so the greeting does not wait; asked for
 * at most until the timeout after the connect, and then settled for the session: unknown
 * ({@code null}) if there is none, a look-up failed or took too long. One look-up may serve
 * several sessions of the same client ({@link SmtpReceiver} keeps recent ones). Used on the
 * session's thread only.
 */
final class ClientName {

    private static final Logger LOG = LoggerFactory.getLogger(ClientName.class);

    /** PTR names tried at most; an address with more is unusual and not worth the look-ups. */
    private static final int MAX_NAMES = 5;

    static final ClientName UNKNOWN = new ClientName(CompletableFuture.completedFuture(null), 0);

    private final CompletableFuture<String> lookup;
    private final long deadline;
    private boolean settled;
    private String name;

    private ClientName(CompletableFuture<String> lookup, long deadline) {
        this.lookup = lookup;
        this.deadline = deadline;
    }

    /** Starts looking up {@code address} on {@code executor}; completes with the name or {@code null}. */
    static CompletableFuture<String> start(DnsResolver dns, InetAddress address, Executor executor) {
        try {
            return CompletableFuture.supplyAsync(() -> confirmed(dns, address), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A session's view of a look-up (maybe shared, maybe done): its answer is due within {@code timeout}. */
    static ClientName awaiting(CompletableFuture<String> lookup, Duration timeout) {
        return new ClientName(lookup, System.nanoTime() + timeout.toNanos());
    }

    /** The name, waiting for the look-up until the deadline at most; {@code null} if unknown. */
    String get() {
        if (!settled) {
            settled = true;
            try {
                name = lookup.get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // not cancelled: other sessions of this client may still use its answer
                LOG.debug("Reverse DNS look-up took too long; client name unknown");
            } catch (ExecutionException e) {
                LOG.debug("Reverse DNS look-up failed: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return name;
    }

    private static String confirmed(DnsResolver dns, InetAddress address) {
        List<String> names;
        try {
            names = dns.ptr(address);
        } catch (DnsLookupException e) {
            LOG.debug("No reverse DNS for {}: {}", address.getHostAddress(), e.getMessage());
            return null;
        }
        for (String candidate : names.subList(0, Math.min(names.size(), MAX_NAMES))) {
            try {
                if (!candidate.isEmpty() && dns.addresses(candidate).contains(address)) {
                    return candidate;
                }
            } catch (DnsLookupException e) {
                LOG.debug("Cannot confirm {} for {}: {}", candidate, address.getHostAddress(), e.getMessage());
            }
        }
        LOG.debug("Reverse DNS of {} is not confirmed by {}", address.getHostAddress(), names);
        return null;
    }
}
