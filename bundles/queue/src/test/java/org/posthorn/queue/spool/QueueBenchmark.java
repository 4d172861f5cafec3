package org.posthorn.queue.spool;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.Envelope;
import org.posthorn.queue.TestDatabase;
import org.posthorn.queue.TestMail;
import org.posthorn.queue.index.NewEntry;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.index.Sql;
import org.posthorn.queue.testing.QueueHarness;

/**
 * Spool files versus Derby BLOBs for the message bytes (both durable before returning), and how
 * fast the dispatcher empties the queue into a mailbox store. Not part of the build: run with
 * {@code mvn -B -q -pl bundles/queue -am verify -Dposthorn.bench=true -Dtest=QueueBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * and read target/surefire-reports/*QueueBenchmark-output.txt. Results go to docs/performance.md.
 */
@EnabledIfSystemProperty(named = "posthorn.bench", matches = "true")
class QueueBenchmark {

    private static final int[] SIZES = {4 * 1024, 64 * 1024, 1024 * 1024};
    private static final int[] THREADS = {1, 16};
    private static final long BYTES_PER_RUN = 64L * 1024 * 1024;

    @TempDir
    Path dir;

    @FunctionalInterface
    interface Enqueue {
        void enqueue(Envelope envelope, InputStream message) throws Exception;
    }

    @Test
    void filesVersusBlobs() throws Exception {
        System.out.println("| store | message size | threads | messages/s | MiB/s |");
        System.out.println("|---|---|---|---|---|");
        for (int size : SIZES) {
            for (int threads : THREADS) {
                runFiles(size, threads);
                runBlobs(size, threads);
            }
        }
    }

    @Test
    void localDeliveryThroughput() throws Exception {
        int messages = 2000;
        int threads = 16;
        try (QueueHarness queue = QueueHarness.start(dir.resolve("dispatch"))) {
            byte[] message = TestMail.message("throughput", 4096);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < messages / threads; i++) {
                        queue.send(TestMail.envelope("alice@sender.test", "bob@example.org"), message);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double enqueued = (System.nanoTime() - start) / 1e9;
            Awaitility.await().atMost(Duration.ofMinutes(10)).until(() -> queue.store.appended.size() == messages);
            double delivered = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            System.out.printf(Locale.ROOT, "%d messages of 4 KiB from %d threads to one local recipient, %d workers:"
                    + " enqueued in %.1f s, all delivered after %.1f s (%.0f messages/s end to end)%n",
                    messages, threads, QueueHarness.settings().workers(), enqueued,
                    delivered, messages / delivered);
        }
    }

    private void runFiles(int size, int threads) throws Exception {
        Path run = dir.resolve("files-" + size + "-" + threads);
        try (TestDatabase db = TestDatabase.open(run)) {
            Spool spool = new Spool(run.resolve("spool"));
            QueueIndex index = new QueueIndex(db.dataSource());
            try (GroupCommitter committer = new GroupCommitter(spool, index, "bench-committer")) {
                SpoolQueue queue = new SpoolQueue(spool, committer, new QueueIds(Clock.systemUTC()), Clock.systemUTC(), () -> { });
                measure("files", size, threads, queue::enqueue);
            }
        }
    }

    private void runBlobs(int size, int threads) throws Exception {
        Path run = dir.resolve("blobs-" + size + "-" + threads);
        try (TestDatabase db = TestDatabase.open(run)) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE bench_body (id VARCHAR(32) NOT NULL PRIMARY KEY, body BLOB(2G) NOT NULL)");
            }
            QueueIndex index = new QueueIndex(db.dataSource());
            QueueIds ids = new QueueIds(Clock.systemUTC());
            measure("Derby BLOB", size, threads, (envelope, message) -> Sql.transaction(db.dataSource(), c -> {
                String id = ids.next();
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench_body (id, body) VALUES (?, ?)")) {
                    ps.setString(1, id);
                    ps.setBinaryStream(2, message);
                    ps.executeUpdate();
                }
                index.insert(c, new NewEntry(id, envelope, size, 0, Clock.systemUTC().instant()));
                return null;
            }));
        }
    }

    private static void measure(String store, int size, int threads, Enqueue queue) throws Exception {
        byte[] message = TestMail.message("benchmark", size);
        Envelope envelope = TestMail.envelope("alice@example.org", "bob@example.com", "carol@example.com");
        int perThread = (int) Math.max(20, BYTES_PER_RUN / size / threads);
        for (int i = 0; i < 10; i++) {
            queue.enqueue(envelope, new ByteArrayInputStream(message));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    queue.enqueue(envelope, new ByteArrayInputStream(message));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        int total = perThread * threads;
        System.out.printf(Locale.ROOT, "| %s | %d KiB | %d | %.0f | %.1f |%n", store, size / 1024, threads,
                total / seconds, total * (double) message.length / seconds / (1024 * 1024));
    }
}
