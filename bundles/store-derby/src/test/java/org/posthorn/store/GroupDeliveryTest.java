package org.posthorn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.UidSet;

/**
 * Many threads delivering into one mailbox at once (their deliveries may share transactions):
 * each message gets its own UID and MODSEQ, in the same order, and a refused one is refused alone.
 */
class GroupDeliveryTest {

    private static final String USER = "many@example.org";
    private static final int THREADS = 8;
    private static final int EACH = 25;

    @TempDir
    Path dir;
    private StoreFixture fixture;
    private DerbyMailboxStore store;

    @BeforeEach
    void openStore() throws Exception {
        fixture = new StoreFixture(dir);
        store = fixture.store;
        fixture.directory.addDomain("example.org");
        fixture.directory.addUser(USER, null, 0, 0);
    }

    @AfterEach
    void closeStore() {
        fixture.close();
    }

    @Test
    void concurrentDeliveriesToOneMailboxEachGetTheirOwnUidAndModSeqInOrder() throws Exception {
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        store.addListener(events::add);
        long start = store.status(USER, "INBOX").highestModSeq();

        List<Delivery.Outcome> outcomes = deliverConcurrently(store);

        assertThat(outcomes).allMatch(o -> o.failure() == null);
        List<AppendResult> results = outcomes.stream().map(Delivery.Outcome::result)
                .sorted(Comparator.comparingLong(AppendResult::uid)).toList();
        assertThat(results).extracting(AppendResult::uid)
                .containsExactlyElementsOf(range(1, THREADS * EACH));
        assertThat(results).extracting(AppendResult::modSeq)
                .containsExactlyElementsOf(range(start + 1, start + THREADS * EACH));
        assertThat(store.status(USER, "INBOX").highestModSeq()).isEqualTo(start + THREADS * EACH);
        Map<Long, String> subjects = store.fetch(USER, "INBOX", UidSet.ALL).stream()
                .collect(Collectors.toMap(m -> m.meta().uid(), m -> m.envelope().subject()));
        for (int i = 0; i < outcomes.size(); i++) {
            assertThat(subjects.get(outcomes.get(i).result().uid())).isEqualTo(subjectOf(i));
        }
        await().until(() -> events.size() == THREADS * EACH);
        assertThat(events).extracting(MailboxEvent::modSeq)
                .as("one event per delivery, in MODSEQ order")
                .containsExactlyElementsOf(range(start + 1, start + THREADS * EACH));
        assertThat(events).allMatch(e -> e.kind() == MailboxEvent.Kind.ADDED && e.uids().size() == 1);
    }

    @Test
    void aDeliveryOverQuotaIsRefusedAloneAndLeavesNoContentBehind() throws Exception {
        fixture.directory.setQuota(USER, 0, 10);

        List<Delivery.Outcome> outcomes = deliverConcurrently(store);

        assertThat(outcomes.stream().filter(o -> o.failure() == null)).hasSize(10);
        assertThat(outcomes.stream().filter(o -> o.failure() != null))
                .hasSize(THREADS * EACH - 10)
                .allMatch(o -> o.failure().reason() == StoreException.Reason.QUOTA_EXCEEDED);
        assertThat(store.status(USER, "INBOX").messages()).isEqualTo(10);
        assertThat(store.quota(USER).usedMessages()).isEqualTo(10);
        store.purge();
        assertThat(fixture.contentRows()).isEqualTo(10);
    }

    /** THREADS threads deliver EACH messages each; outcome i is of the message with subjectOf(i). */
    private static List<Delivery.Outcome> deliverConcurrently(DerbyMailboxStore store) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<Delivery.Outcome>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    barrier.await();
                    List<Delivery.Outcome> mine = new ArrayList<>();
                    for (int i = 0; i < EACH; i++) {
                        String text = Messages.simple("a@b", USER, subjectOf(thread * EACH + i), "body");
                        mine.add(store.deliver(List.of(new Delivery(USER, "INBOX", Set.of())),
                                Messages.source(text), null).get(0));
                    }
                    return mine;
                }));
            }
            List<Delivery.Outcome> all = new ArrayList<>();
            for (Future<List<Delivery.Outcome>> f : futures) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String subjectOf(int index) {
        return "message " + index;
    }

    private static List<Long> range(long first, long last) {
        return java.util.stream.LongStream.rangeClosed(first, last).boxed().toList();
    }
}
