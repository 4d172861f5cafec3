package org.posthorn.queue.dispatch;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.spool.Spool;
import org.posthorn.queue.spool.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds due entries and hands them to worker threads. One scanner thread claims as many due
 * entries as there are free workers, each with a lease in the database, and then sleeps until
 * it is woken (a new message, a worker finishing, an admin's retry, a service coming back) or
 * the scan interval has passed (for retries that have fallen due). Due times come from the
 * injected clock; the waiting itself is real time.
 *
 * <p>The scanner also deletes orphaned spool files once an hour (see {@link Spool#collectGarbage}).
 */
public final class Dispatcher implements AutoCloseable {

    /** How old a spool file without a row must be before it is taken for garbage. */
    public static final Duration ORPHAN_AGE = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long GC_INTERVAL_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long STOP_WAIT_SECONDS = 30;

    private final QueueIndex index;
    private final MessageDelivery delivery;
    private final Spool spool;
    private final QueueSettings settings;
    private final Clock clock;
    private final String owner;
    private final Semaphore freeWorkers;
    private final ExecutorService workers;
    private final Thread scanner;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean wakeUpPending;
    private volatile boolean running;
    private long lastGarbageCollection = System.nanoTime();

    /** @param owner this dispatcher's name in leases: unique per node and start */
    public Dispatcher(QueueIndex index, MessageDelivery delivery, Spool spool, QueueSettings settings, Clock clock,
                      String owner) {
        this.index = index;
        this.delivery = delivery;
        this.spool = spool;
        this.settings = settings;
        this.clock = clock;
        this.owner = owner;
        this.freeWorkers = new Semaphore(settings.workers());
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "posthorn-queue-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scanner = new Thread(this::scan, "posthorn-queue-scanner");
        this.scanner.setDaemon(true);
    }

    public String owner() {
        return owner;
    }

    public void start() {
        running = true;
        scanner.start();
    }

    /** Makes the scanner look for due entries now. */
    public void wakeUp() {
        lock.lock();
        try {
            wakeUpPending = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A service the queue waited for (mailbox store, user directory, remote delivery) is back:
     * recipients deferred for its absence are due now. (An attempt running meanwhile that
     * missed the service makes its own deferrals due when it ends: MessageDelivery.)
     */
    public void serviceReturned() {
        int entries = retryUnavailable();
        if (entries > 0) {
            LOG.info("A delivery service returned: {} waiting entries are due now", entries);
        }
        wakeUp();
    }

    private int retryUnavailable() {
        try {
            return index.retryUnavailable(clock.instant());
        } catch (SQLException e) {
            LOG.warn("Cannot make waiting entries due: {}", e.getMessage());
            return 0;
        }
    }

    /**
     * Stops claiming, lets running attempts finish (interrupting them after 30 s), and gives back
     * this dispatcher's leases so another node or the next start can go on at once.
     */
    @Override
    public void close() {
        running = false;
        wakeUp();
        Threads.joinUninterruptibly(scanner);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                if (!workers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.error("Delivery threads did not stop; their leases are left to expire");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            index.releaseAll(owner);
        } catch (SQLException e) {
            LOG.warn("Cannot give back the leases of {}; they expire by themselves: {}", owner, e.getMessage());
        }
    }

    private void scan() {
        while (running) {
            try {
                claimDue();
                collectGarbageHourly();
            } catch (SQLException | IOException | RuntimeException e) {
                LOG.warn("Queue scan failed, trying again in {}: {}", settings.scanInterval(), e.toString());
            }
            awaitWork();
        }
    }

    private void claimDue() throws SQLException {
        int free = freeWorkers.availablePermits();
        if (free == 0 || !running) {
            return;
        }
        Instant now = clock.instant();
        for (String id : index.due(now, free * 2)) {
            if (!running || !freeWorkers.tryAcquire()) {
                return;
            }
            boolean submitted = false;
            try {
                if (index.claim(id, owner, now, now.plus(settings.leaseDuration()))) {
                    workers.execute(() -> work(id));
                    submitted = true;
                }
            } catch (RejectedExecutionException e) {
                index.release(id, owner, now);
            } finally {
                if (!submitted) {
                    freeWorkers.release();
                }
            }
        }
    }

    private void work(String id) {
        try {
            delivery.process(id, owner);
        } catch (Exception | LinkageError e) {
            LOG.error("{}: delivery attempt failed, retrying in {}: {}", id, settings.unavailableRetry(), e.toString(), e);
            try {
                index.postpone(id, owner, clock.instant().plus(settings.unavailableRetry()));
            } catch (SQLException | RuntimeException ex) {
                LOG.warn("{}: cannot give back the lease; it expires by itself: {}", id, ex.toString());
            }
        } finally {
            freeWorkers.release();
            wakeUp();
        }
    }

    private void collectGarbageHourly() throws SQLException, IOException {
        if (System.nanoTime() - lastGarbageCollection < GC_INTERVAL_NANOS) {
            return;
        }
        lastGarbageCollection = System.nanoTime();
        Set<String> ids = index.ids();
        spool.collectGarbage(ids::contains, Instant.now().minus(ORPHAN_AGE));
    }

    private void awaitWork() {
        lock.lock();
        try {
            if (!wakeUpPending && running) {
                woken.await(settings.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
            wakeUpPending = false;
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
