package org.posthorn.queue.remote;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * At most {@code limit} concurrent deliveries per destination (a domain, or the smarthost),
 * so that one busy domain neither floods its MX nor takes every worker thread: a caller over
 * the limit waits a bounded time for a slot. Holds no state for idle destinations. Thread-safe.
 */
final class DomainSlots {

    private final int limit;
    private final Map<String, Integer> inUse = new HashMap<>();

    DomainSlots(int limit) {
        this.limit = limit;
    }

    /**
     * Takes a slot for {@code destination}, waiting at most {@code wait}.
     *
     * @return false if none became free in time
     */
    synchronized boolean acquire(String destination, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (inUse.getOrDefault(destination, 0) >= limit) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        inUse.merge(destination, 1, Integer::sum);
        return true;
    }

    synchronized void release(String destination) {
        inUse.computeIfPresent(destination, (d, n) -> n == 1 ? null : n - 1);
        notifyAll();
    }
}
