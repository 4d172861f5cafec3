package org.posthorn.smtp.session;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failed AUTH attempts per client IP address over a sliding window, shared by all
 * sessions of a server, so a password guesser cannot just reconnect. Thread-safe.
 *
 * <p>Memory is bounded: at most {@link #MAX_TRACKED_ADDRESSES} addresses are tracked, and
 * failures older than the window are dropped whenever a failure is recorded.
 */
public final class AuthThrottle {

    static final int MAX_TRACKED_ADDRESSES = 10_000;

    private final Clock clock;
    // guarded by this
    /** In order of each address's first recorded failure, so the oldest entry is evicted first. */
    private final Map<InetAddress, Deque<Instant>> failures = new LinkedHashMap<>();
    private int maxFailures;
    private Duration window;

    public AuthThrottle(int maxFailures, Duration window) {
        this(maxFailures, window, Clock.systemUTC());
    }

    AuthThrottle(int maxFailures, Duration window, Clock clock) {
        this.clock = clock;
        configure(maxFailures, window);
    }

    /** New limits; failures already counted stay counted. */
    public synchronized void configure(int maxFailures, Duration window) {
        if (maxFailures <= 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("AUTH throttle needs a positive count and window");
        }
        this.maxFailures = maxFailures;
        this.window = window;
    }

    /** True if {@code address} has failed too often within the window and must not try again now. */
    public synchronized boolean isBlocked(InetAddress address) {
        Deque<Instant> recent = failures.get(address);
        if (recent == null) {
            return false;
        }
        expire(recent, clock.instant());
        return recent.size() >= maxFailures;
    }

    /** Records a failure; returns {@link #isBlocked} after it. */
    public synchronized boolean recordFailure(InetAddress address) {
        Instant now = clock.instant();
        for (Iterator<Deque<Instant>> it = failures.values().iterator(); it.hasNext();) {
            Deque<Instant> recent = it.next();
            expire(recent, now);
            if (recent.isEmpty()) {
                it.remove();
            }
        }
        if (!failures.containsKey(address) && failures.size() >= MAX_TRACKED_ADDRESSES) {
            // under a distributed attack, forget the longest-tracked address rather than grow without bound
            Iterator<InetAddress> oldest = failures.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        Deque<Instant> recent = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        recent.addLast(now);
        while (recent.size() > maxFailures) {
            recent.removeFirst();
        }
        return recent.size() >= maxFailures;
    }

    private void expire(Deque<Instant> recent, Instant now) {
        Instant horizon = now.minus(window);
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(horizon)) {
            recent.removeFirst();
        }
    }
}
