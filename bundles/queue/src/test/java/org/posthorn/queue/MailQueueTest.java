package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.queue.QueuedMessage;
import org.posthorn.queue.index.EntryRecord;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.testing.FakeMailboxStore;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.queue.testing.QueueTestBase;

/** What {@code enqueue} promises: when it returns, the message and its envelope are on disk, complete. */
class MailQueueTest extends QueueTestBase {

    private Path dir;
    private QueueIndex index;

    @BeforeEach
    void nothingIsDelivered() {
        // every entry stays as enqueue left it
        queue.usersRunning = false;
        index = new QueueIndex(queue.database().dataSource());
        dir = queue.folder;
    }

    @Test
    void whenEnqueueReturnsTheSpoolFileAndTheRowWithTheWholeEnvelopeAreThere() throws Exception {
        Origin origin = new Origin("client.example.net", "2001:db8::25", "client.example.net", "ESMTPSA",
                "alice@example.org", "TLSv1.3 TLS_AES_256_GCM_SHA384", "submission", Instant.parse("2026-11-23T09:59:58Z"));
        Envelope envelope = new Envelope(MailAddress.parse("alice@example.org"), List.of(
                new Recipient(MailAddress.parse("bob@example.com"), Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE),
                        "rfc822;bob@example.com"),
                new Recipient(MailAddress.parse("\"john doe\"@example.net"), Set.of(DsnNotify.NEVER), null),
                Recipient.of(MailAddress.parse("ünï@example.org"))),
                DsnReturn.HEADERS, "envelope-42", BodyType.EIGHT_BIT_MIME, true, origin);
        byte[] message = TestMail.message("durable", 200_000);

        QueuedMessage queued = queue.engine().mailQueue().enqueue(envelope, new ByteArrayInputStream(message));

        assertThat(queued.size()).isEqualTo(message.length);
        assertThat(Files.readAllBytes(dir.resolve("spool").resolve(queued.id()))).isEqualTo(message);
        EntryRecord entry = index.load(queued.id()).orElseThrow();
        assertThat(entry.envelope()).isEqualTo(envelope);
        assertThat(entry.size()).isEqualTo(message.length);
        assertThat(entry.arrival()).isEqualTo(QueueHarness.START);
        assertThat(entry.recipients()).extracting(r -> r.recipient().address().toString())
                .containsExactly("bob@example.com", "\"john doe\"@example.net", "ünï@example.org");
    }

    @Test
    void aStreamThatFailsLeavesNoFileAndNoRowAndTheFailureIsTemporary() throws Exception {
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(TestMail.message("half", 100_000)),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("connection reset by peer");
                    }
                });

        assertThatThrownBy(() -> queue.engine().mailQueue().enqueue(TestMail.envelope("alice@example.org", "bob@example.com"), failing))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isTemporary()).isTrue())
                .hasMessageContaining("connection reset by peer");
        try (var files = Files.list(dir.resolve("spool"))) {
            assertThat(files).isEmpty();
        }
        assertThat(index.ids()).isEmpty();
    }

    @Test
    void manyConcurrentSessionsGetDistinctIdsAndEveryMessageIsStored() throws Exception {
        int threads = 16;
        int perThread = 20;
        CyclicBarrier together = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<QueuedMessage>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<List<QueuedMessage>> session = () -> {
                    together.await();
                    List<QueuedMessage> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(queue.engine().mailQueue().enqueue(TestMail.envelope("alice@example.org", "bob@example.com"),
                                new ByteArrayInputStream(TestMail.message("t" + thread + "m" + i, 1000 + i * 100))));
                    }
                    return mine;
                };
                results.add(pool.submit(session));
            }
            Set<String> ids = new HashSet<>();
            for (Future<List<QueuedMessage>> f : results) {
                for (QueuedMessage m : f.get()) {
                    assertThat(ids.add(m.id())).as("id %s is unique", m.id()).isTrue();
                    assertThat(Files.size(dir.resolve("spool").resolve(m.id()))).isEqualTo(m.size());
                }
            }
            assertThat(ids).hasSize(threads * perThread);
            assertThat(index.ids()).isEqualTo(ids);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyMessageAcknowledgedBeforeTheQueueStopsMidBatchIsDeliveredAfterARestart() throws Exception {
        int threads = 16;
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        CountDownLatch running = new CountDownLatch(threads * 3);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.submit(() -> {
                    for (int i = 0; ; i++) {
                        String subject = "t" + thread + "m" + i;
                        try {
                            acknowledged.put(queue.send(TestMail.envelope("alice@example.org", "bob@example.org"),
                                    TestMail.message(subject, 4000)), subject);
                        } catch (QueueException e) {
                            return null; // the queue stopped: not acknowledged, the client would retry
                        }
                        running.countDown();
                    }
                });
            }
            running.await();
            // sessions are writing, forcing and waiting for their batch at this moment
            queue.stopEngine();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }

        try (QueueHarness restarted = QueueHarness.start(dir, queue.database(), QueueHarness.settings())) {
            restarted.admin().retryAll(); // those tried before the stop wait for the user directory
            restarted.awaitQuiet();
            assertThat(restarted.store.of("bob@example.org")).extracting(MailQueueTest::subject)
                    .containsExactlyInAnyOrderElementsOf(acknowledged.values());
        }
        try (var files = Files.list(dir.resolve("spool"))) {
            assertThat(files).as("files of delivered or refused messages").isEmpty();
        }
    }

    private static String subject(FakeMailboxStore.Appended message) {
        Matcher m = Pattern.compile("^Subject: (\\S+)$", Pattern.MULTILINE).matcher(message.text().replace("\r", ""));
        return m.find() ? m.group(1) : null;
    }

    @Test
    void aStoppedQueueRefusesMailTemporarilyAndKeepsNothing() throws Exception {
        queue.stopEngine();
        assertThatThrownBy(() -> queue.send(TestMail.envelope("alice@example.org", "bob@example.com"), TestMail.message("late")))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isTemporary()).isTrue());
        try (var files = Files.list(dir.resolve("spool"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anOverlongEnvelopeIdIsRefusedForGood() {
        Envelope envelope = new Envelope(MailAddress.parse("alice@example.org"),
                List.of(Recipient.of(MailAddress.parse("bob@example.com"))), null, "x".repeat(300),
                BodyType.SEVEN_BIT, false, TestMail.origin());
        assertThatThrownBy(() -> queue.send(envelope, TestMail.message("envid")))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isTemporary()).isFalse());
    }
}
