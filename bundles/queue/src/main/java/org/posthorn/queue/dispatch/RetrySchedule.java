package org.posthorn.queue.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When a recipient that failed temporarily is tried again: after the n-th attempt, wait the
 * n-th delay of the list (the last one repeats), but never past the message's lifetime, so the
 * last attempt happens right at its end. A recipient still failing once the lifetime is over
 * fails for good.
 *
 * @param delays   the waits after the first, second, ... attempt
 * @param lifetime how long after arrival a message may be retried
 */
public record RetrySchedule(List<Duration> delays, Duration lifetime) {

    public RetrySchedule {
        delays = List.copyOf(delays);
        if (delays.isEmpty() || delays.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("retry delays must be positive");
        }
    }

    /** The default schedule: 5m, 10m, 30m, 1h, 2h, then every 4h, for 5 days. */
    public static RetrySchedule standard() {
        return new RetrySchedule(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)), Duration.ofDays(5));
    }

    /**
     * @param attempts how many attempts have been made, including the one that just failed (1 or more)
     */
    public Instant next(int attempts, Instant now, Instant arrival) {
        Duration delay = delays.get(Math.min(Math.max(attempts, 1), delays.size()) - 1);
        Instant next = now.plus(delay);
        Instant end = arrival.plus(lifetime);
        return next.isAfter(end) && now.isBefore(end) ? end : next;
    }

    /** True once the lifetime of a message that arrived at {@code arrival} is over. */
    public boolean expired(Instant arrival, Instant now) {
        return !now.isBefore(arrival.plus(lifetime));
    }
}
