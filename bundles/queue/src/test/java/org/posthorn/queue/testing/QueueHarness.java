package org.posthorn.queue.testing;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.posthorn.api.mail.Envelope;
import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.queue.QueueEngine;
import org.posthorn.queue.TestDatabase;
import org.posthorn.queue.dispatch.QueueSettings;
import org.posthorn.queue.filter.FilterChain;

/**
 * A whole queue on a real Derby and real spool files in a test folder, with fakes for the
 * mailbox store, the user directory and remote delivery, and a clock the test moves.
 * Local domain {@code example.org} with accounts bob and carol; everything else is remote.
 * Or, for the whole path into a real mailbox, the Derby store and directory instead of the fakes.
 */
public final class QueueHarness implements AutoCloseable {

    public static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    public static final String HOST = "mx.posthorn.test";

    public final MutableClock clock = new MutableClock(START);
    public final FakeMailboxStore store = new FakeMailboxStore("bob@example.org", "carol@example.org");
    public final FakeDirectory users = new FakeDirectory("example.org", "bob@example.org", "carol@example.org");
    public final FakeRemote remote = new FakeRemote();
    public final FilterChain filters = new FilterChain();
    public volatile boolean storeRunning = true;
    public volatile boolean usersRunning = true;
    public volatile boolean remoteRunning = true;
    public final Path folder;
    private final TestDatabase database;
    private final boolean ownsDatabase;
    private final QueueEngine engine;

    private QueueHarness(Path folder, TestDatabase database, boolean ownsDatabase, QueueSettings settings,
                         MailboxStore realStore, UserDirectory realUsers) throws Exception {
        this.folder = folder;
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        MailboxStore mailboxes = realStore == null ? store : realStore;
        UserDirectory directory = realUsers == null ? users : realUsers;
        this.engine = new QueueEngine(database.dataSource(), folder.resolve("spool"), settings, clock, "test-node",
                () -> storeRunning ? mailboxes : null, () -> usersRunning ? directory : null,
                () -> remoteRunning ? remote : null, filters);
        engine.start();
    }

    public static QueueHarness start(Path folder) throws Exception {
        return start(folder, settings());
    }

    public static QueueHarness start(Path folder, QueueSettings settings) throws Exception {
        TestDatabase database = TestDatabase.open(folder);
        try {
            return new QueueHarness(folder, database, true, settings, null, null);
        } catch (Exception e) {
            database.close();
            throw e;
        }
    }

    /** A queue on an existing database, which stays open when the queue is closed. */
    public static QueueHarness start(Path folder, TestDatabase database, QueueSettings settings) throws Exception {
        return new QueueHarness(folder, database, false, settings, null, null);
    }

    /**
     * A queue on an existing database that delivers into {@code store} and resolves with
     * {@code users} (the real Derby ones) instead of the fakes; remote delivery stays the fake.
     */
    public static QueueHarness start(Path folder, TestDatabase database, QueueSettings settings, MailboxStore store,
                                     UserDirectory users) throws Exception {
        return new QueueHarness(folder, database, false, settings, store, users);
    }

    public static QueueSettings settings() {
        return QueueSettings.defaults(HOST);
    }

    public QueueEngine engine() {
        return engine;
    }

    public TestDatabase database() {
        return database;
    }

    public QueueAdmin admin() {
        return engine.admin();
    }

    public String send(Envelope envelope, byte[] message) throws QueueException {
        return engine.mailQueue().enqueue(envelope, new ByteArrayInputStream(message)).id();
    }

    /** Moves the clock and wakes the dispatcher, as the scan interval would. */
    public void advance(Duration duration) {
        clock.advance(duration);
        engine.wakeUp();
    }

    /** Waits until no entry is due or being delivered (DSNs queued meanwhile included). */
    public void awaitQuiet() {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Map<EntryState, Long> counts = admin().counts();
            return counts.get(EntryState.QUEUED) == 0 && counts.get(EntryState.DELIVERING) == 0;
        });
    }

    /** Moves the clock to each next attempt until the entry is gone or {@code limit} has passed since START. */
    public void retryUntilGoneOr(String id, Duration limit) throws QueueException {
        while (exists(id) && clock.instant().isBefore(START.plus(limit))) {
            advance(Duration.between(clock.instant(), entry(id).nextAttempt()));
            awaitQuiet();
        }
    }

    public QueueEntry entry(String id) throws QueueException {
        return admin().entry(id).orElseThrow(() -> new AssertionError("no queue entry " + id));
    }

    public boolean exists(String id) throws QueueException {
        return admin().entry(id).isPresent();
    }

    /** Stops the queue but keeps the database open (for a restart on the same data). */
    public void stopEngine() {
        engine.close();
    }

    @Override
    public void close() {
        engine.close();
        if (ownsDatabase) {
            database.close();
        }
    }
}
