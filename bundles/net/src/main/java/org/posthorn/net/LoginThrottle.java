package org.posthorn.net;

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
 * Failed logins (SMTP AUTH, POP3 PASS and AUTH, IMAP LOGIN) per client IP address within a
 * sliding window, over all sessions of a server, so a password guesser gains nothing by
 * reconnecting. An address with
 * {@code maxFailures} failures in the window is refused until the oldest of them leaves it.
 *
 * <p>At most {@link #MAX_ADDRESSES} addresses are remembered; beyond that the one that failed
 * longest ago is forgotten, so a distributed guesser cannot make it grow without bound.
 * Thread-safe.
 */
public final class LoginThrottle {

    static final int MAX_ADDRESSES = 10_000;

    private final Clock clock;
    // guarded by this; iteration order = order of the latest failure (oldest first)
    private final Map<InetAddress, Deque<Instant>> failures = new LinkedHashMap<>(16, 0.75f, true);
    private int maxFailures;
    private Duration window;

    /** @throws IllegalArgumentException unless {@code maxFailures} and {@code window} are positive */
    public LoginThrottle(int maxFailures, Duration window) {
        this(maxFailures, window, Clock.systemUTC());
    }

    LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.clock = clock;
        configure(maxFailures, window);
    }

    /** New limits; failures already recorded still count. */
    public synchronized void configure(int maxFailures, Duration window) {
        if (maxFailures < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the login throttle needs at least one failure and a positive window");
        }
        this.maxFailures = maxFailures;
        this.window = window;
    }

    /** True if {@code address} has failed too often lately; its logins are refused unchecked. */
    public synchronized boolean isBlocked(InetAddress address) {
        Deque<Instant> recent = failures.get(address);
        return recent != null && countRecent(recent, clock.instant()) >= maxFailures;
    }

    /** Records a failed login; returns whether the address is blocked now. */
    public synchronized boolean recordFailure(InetAddress address) {
        Instant now = clock.instant();
        Deque<Instant> recent = failures.get(address);
        if (recent == null) {
            if (failures.size() >= MAX_ADDRESSES) {
                forgetOldest(now);
            }
            recent = new ArrayDeque<>();
            failures.put(address, recent);
        }
        recent.addLast(now);
        return countRecent(recent, now) >= maxFailures;
    }

    /** Drops what left the window, then (if nothing did) the address that failed longest ago. */
    private void forgetOldest(Instant now) {
        for (Iterator<Deque<Instant>> it = failures.values().iterator(); it.hasNext();) {
            if (countRecent(it.next(), now) == 0) {
                it.remove();
            }
        }
        if (failures.size() >= MAX_ADDRESSES) {
            Iterator<InetAddress> oldest = failures.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private int countRecent(Deque<Instant> recent, Instant now) {
        Instant horizon = now.minus(window);
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(horizon)) {
            recent.removeFirst();
        }
        while (recent.size() > maxFailures) {
            recent.removeFirst();
        }
        return recent.size();
    }
}
