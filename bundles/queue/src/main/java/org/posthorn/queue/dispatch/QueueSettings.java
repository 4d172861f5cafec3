package org.posthorn.queue.dispatch;

import java.time.Duration;

/**
 * The queue's tunables, parsed from its configuration.
 *
 * @param workers             delivery threads of this node
 * @param hostName            this server's name in DSNs (Reporting-MTA, MAILER-DAEMON@)
 * @param retries             the retry schedule and message lifetime
 * @param delayWarning        after how long a still-deferred recipient's sender is warned; zero: never
 * @param quotaGrace          how long a recipient over quota is retried before the message bounces
 * @param unavailableRetry    how soon a recipient is retried when Posthorn's own store, directory
 *                            or remote delivery was not available
 * @param scanInterval        how often the dispatcher looks for due retries without being woken
 * @param leaseDuration       how long a claim on an entry lasts; renewed before each delivery step
 * @param filtersFailClosed   true: a filter that throws defers the message; false: it is skipped
 * @param fullMessageLimit    the largest message a DSN returns whole (unless RET=HDRS); larger ones
 *                            return their header only
 */
public record QueueSettings(int workers, String hostName, RetrySchedule retries, Duration delayWarning,
                            Duration quotaGrace, Duration unavailableRetry, Duration scanInterval,
                            Duration leaseDuration, boolean filtersFailClosed, long fullMessageLimit) {

    public QueueSettings {
        if (workers < 1) {
            throw new IllegalArgumentException("at least one worker");
        }
        if (scanInterval.isZero() || scanInterval.isNegative() || leaseDuration.isZero() || leaseDuration.isNegative()
                || unavailableRetry.isZero() || unavailableRetry.isNegative()) {
            throw new IllegalArgumentException("scan interval, lease duration and unavailable retry must be positive");
        }
    }

    /** The documented defaults, with the given host name. */
    public static QueueSettings defaults(String hostName) {
        return new QueueSettings(16, hostName, RetrySchedule.standard(), Duration.ofHours(4), Duration.ofDays(1),
                Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofMinutes(10), false, 1024 * 1024);
    }

    public QueueSettings withWorkers(int count) {
        return new QueueSettings(count, hostName, retries, delayWarning, quotaGrace, unavailableRetry, scanInterval,
                leaseDuration, filtersFailClosed, fullMessageLimit);
    }

    public QueueSettings withFiltersFailClosed(boolean failClosed) {
        return new QueueSettings(workers, hostName, retries, delayWarning, quotaGrace, unavailableRetry, scanInterval,
                leaseDuration, failClosed, fullMessageLimit);
    }
}
