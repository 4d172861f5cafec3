package org.posthorn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxStatus;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.UidSet;

/**
 * Deliveries, flag changes, expunges and copies from several threads on one mailbox, then the
 * invariants: UIDs unique and gap-free in allocation order, MODSEQ raised once per committed
 * change, counts consistent, and one event per change in MODSEQ order.
 */
class ConcurrencyTest {

    private static final String USER = "load@example.org";
    private static final int DELIVERERS = 3;
    private static final int PER_DELIVERER = 40;
    private static final int FLAG_THREADS = 2;
    private static final int FLAG_ROUNDS = 40;
    private static final int EXPUNGE_ROUNDS = 15;
    private static final int COPY_ROUNDS = 15;

    @TempDir
    Path dir;

    @Test
    void concurrentDeliveryFlagsAndExpungeKeepTheInvariants() throws Exception {
        try (StoreFixture fixture = new StoreFixture(dir)) {
            DerbyMailboxStore store = fixture.store;
            fixture.directory.addDomain("example.org");
            fixture.directory.addUser(USER, null, 0, 0);
            List<MailboxEvent> events = new CopyOnWriteArrayList<>();
            store.addListener(events::add);
            long startModSeq = store.status(USER, "INBOX").highestModSeq();

            int threads = DELIVERERS + FLAG_THREADS + 2;
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<List<Long>>> deliveries = new ArrayList<>();
            List<Future<List<Long>>> others = new ArrayList<>();
            try {
                for (int t = 0; t < DELIVERERS; t++) {
                    int thread = t;
                    deliveries.add(pool.submit(() -> {
                        start.await();
                        List<Long> uids = new ArrayList<>();
                        for (int i = 0; i < PER_DELIVERER; i++) {
                            AppendResult r = store.append(USER, "INBOX", Messages.source(Messages.simple("s@x.test", USER,
                                    "t" + thread + " m" + i, "body " + i + "\r\n" + "x".repeat(i * 50))), Set.of(), null);
                            uids.add(r.uid());
                        }
                        return uids;
                    }));
                }
                for (int t = 0; t < FLAG_THREADS; t++) {
                    Random random = new Random(t);
                    others.add(pool.submit(flagger(store, start, random)));
                }
                others.add(pool.submit(() -> {
                    start.await();
                    List<Long> expunged = new ArrayList<>();
                    Random random = new Random(99);
                    for (int round = 0; round < EXPUNGE_ROUNDS; round++) {
                        List<MessageMeta> present = store.messages(USER, "INBOX", UidSet.ALL);
                        if (present.isEmpty()) {
                            continue;
                        }
                        long uid = present.get(random.nextInt(present.size())).uid();
                        store.updateFlags(USER, "INBOX", UidSet.ofUids(uid), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
                        UidSet removed = store.expunge(USER, "INBOX", UidSet.ofUids(uid));
                        for (UidSet.Range r : removed.ranges()) {
                            for (long u = r.first(); u <= r.last(); u++) {
                                expunged.add(u);
                            }
                        }
                    }
                    return expunged;
                }));

                // copies lock INBOX and Archive (in id order) while the others lock INBOX alone
                Future<List<Long>> copier = pool.submit(() -> {
                    start.await();
                    List<Long> copied = new ArrayList<>();
                    Random random = new Random(7);
                    for (int round = 0; round < COPY_ROUNDS; round++) {
                        long from = 1 + random.nextInt(DELIVERERS * PER_DELIVERER);
                        copied.addAll(store.copy(USER, "INBOX", UidSet.of(List.of(new UidSet.Range(from, from + 2))),
                                "Archive").targetUids());
                    }
                    return copied;
                });

                List<Long> allDelivered = new ArrayList<>();
                for (Future<List<Long>> f : deliveries) {
                    List<Long> uids = f.get();
                    assertThat(uids).as("one deliverer's UIDs ascend").isSorted().doesNotHaveDuplicates();
                    allDelivered.addAll(uids);
                }
                for (int i = 0; i < FLAG_THREADS; i++) {
                    others.get(i).get();
                }
                List<Long> expunged = others.get(FLAG_THREADS).get();
                List<Long> copied = copier.get();
                assertThat(copied).as("COPYUIDs in Archive ascend without gaps").isSorted().doesNotHaveDuplicates();
                assertThat(store.status(USER, "Archive").messages()).isEqualTo(copied.size());

                int total = DELIVERERS * PER_DELIVERER;
                Collections.sort(allDelivered);
                assertThat(allDelivered).as("UIDs unique and allocated without gaps").hasSize(total)
                        .doesNotHaveDuplicates().first().isEqualTo(1L);
                assertThat(allDelivered.get(total - 1)).isEqualTo(total);

                MailboxStatus status = store.status(USER, "INBOX");
                assertThat(status.uidNext()).isEqualTo(total + 1);
                assertThat(status.messages()).isEqualTo(total - expunged.size());
                assertThat(store.quota(USER).usedMessages()).isEqualTo(status.messages() + copied.size());
                List<MessageMeta> remaining = store.messages(USER, "INBOX", UidSet.ALL);
                // the expunging thread may have found nothing to remove in a fast run: the check must hold then too
                assertThat(remaining).extracting(MessageMeta::uid).noneMatch(expunged::contains);
                assertThat(remaining).allMatch(m -> m.modSeq() <= status.highestModSeq());
                assertThat(store.vanishedSince(USER, "INBOX", 0).size()).isEqualTo(expunged.size());

                long changes = status.highestModSeq() - startModSeq;
                await().atMost(Duration.ofSeconds(30)).until(() -> inbox(events).size() == changes);
                List<Long> modSeqs = inbox(events).stream().map(MailboxEvent::modSeq).toList();
                for (int i = 0; i < modSeqs.size(); i++) {
                    assertThat(modSeqs.get(i)).as("event %d in MODSEQ order", i).isEqualTo(startModSeq + 1 + i);
                }
                Set<Long> added = new TreeSet<>();
                Set<Long> gone = new TreeSet<>();
                for (MailboxEvent e : inbox(events)) {
                    if (e.kind() == MailboxEvent.Kind.ADDED) {
                        e.messages().forEach(m -> added.add(m.uid()));
                    } else if (e.kind() == MailboxEvent.Kind.EXPUNGED) {
                        e.messages().forEach(m -> gone.add(m.uid()));
                        for (UidSet.Range r : e.uids().ranges()) {
                            for (long u = r.first(); u <= r.last(); u++) {
                                gone.add(u);
                            }
                        }
                    }
                }
                assertThat(added).containsExactlyElementsOf(new TreeSet<>(allDelivered));
                assertThat(gone).containsExactlyElementsOf(new TreeSet<>(expunged));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<MailboxEvent> inbox(List<MailboxEvent> events) {
        return events.stream().filter(e -> e.mailbox().equals("INBOX")).toList();
    }

    private static Callable<List<Long>> flagger(DerbyMailboxStore store, CyclicBarrier start, Random random) {
        return () -> {
            start.await();
            for (int round = 0; round < FLAG_ROUNDS; round++) {
                long uid = 1 + random.nextInt(DELIVERERS * PER_DELIVERER);
                String flag = random.nextBoolean() ? "\\Seen" : "\\Flagged";
                FlagUpdate.Mode mode = random.nextBoolean() ? FlagUpdate.Mode.ADD : FlagUpdate.Mode.REMOVE;
                store.updateFlags(USER, "INBOX", UidSet.of(List.of(new UidSet.Range(uid, uid + 5))), mode, Set.of(flag), -1);
            }
            return List.of();
        };
    }
}
