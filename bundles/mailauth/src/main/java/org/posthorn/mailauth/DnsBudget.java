package org.posthorn.mailauth;

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
import org.posthorn.api.dns.MxRecord;

/**
 * The DNS look-ups of one message's checks, which together take at most a budget of time: each
 * waits only for what is left of it, and once it is used up every further look-up fails at once
 * as temporary. The checks report that as temperror (RFC 6376 §6.1.2, RFC 7208 §2.6.6,
 * RFC 7489 §6.6.3) instead of keeping the client waiting at the end of its data for every
 * look-up's timeout when the resolver is dead. A look-up given up on finishes in the background
 * within the resolver's own timeout. One instance per message; thread-safe.
 */
final class DnsBudget implements DnsResolver {

    @FunctionalInterface
    private interface Lookup<T> {
        T run() throws DnsLookupException;
    }

    private final DnsResolver dns;
    private final Executor lookups;
    private final Duration budget;
    private final long deadline;

    /** @param lookups runs the look-ups, so that waiting for one can end before the resolver's timeout */
    DnsBudget(DnsResolver dns, Executor lookups, Duration budget) {
        this.dns = dns;
        this.lookups = lookups;
        this.budget = budget;
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    @Override
    public List<MxRecord> mx(String domain) throws DnsLookupException {
        return within(() -> dns.mx(domain));
    }

    @Override
    public List<InetAddress> addresses(String host) throws DnsLookupException {
        return within(() -> dns.addresses(host));
    }

    @Override
    public List<String> txt(String name) throws DnsLookupException {
        return within(() -> dns.txt(name));
    }

    @Override
    public List<String> ptr(InetAddress address) throws DnsLookupException {
        return within(() -> dns.ptr(address));
    }

    private <T> T within(Lookup<T> lookup) throws DnsLookupException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw usedUp();
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        try {
            lookups.execute(() -> {
                try {
                    answer.complete(lookup.run());
                } catch (DnsLookupException | RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new DnsLookupException(DnsLookupException.Kind.TEMPORARY, "no thread free for a DNS look-up", e);
        }
        try {
            return answer.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw usedUp();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DnsLookupException failed) {
                throw failed;
            }
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsLookupException(DnsLookupException.Kind.TEMPORARY, "interrupted while waiting for DNS", e);
        }
    }

    private DnsLookupException usedUp() {
        return new DnsLookupException(DnsLookupException.Kind.TEMPORARY,
                "the DNS time budget of " + budget.toMillis() + " ms for this message is used up");
    }
}
