package org.posthorn.queue.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.EntryState;
import org.posthorn.queue.QueueEngine;
import org.posthorn.queue.TestMail;
import org.posthorn.queue.filter.FilterChain;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.remote.RecipientOutcome;
import org.posthorn.queue.remote.RemoteDelivery;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.queue.testing.QueueTestBase;

/** Two dispatchers on one database (two nodes, or a restart mid-delivery) never deliver one entry twice. */
class LeaseTest extends QueueTestBase {

    @Override
    protected QueueSettings settings() {
        QueueSettings d = QueueHarness.settings();
        // both dispatchers look for work all the time, so they compete for every entry
        return new QueueSettings(4, d.hostName(), d.retries(), d.delayWarning(), d.quotaGrace(), d.unavailableRetry(),
                Duration.ofMillis(5), d.leaseDuration(), false, d.fullMessageLimit());
    }

    @Test
    void aLeaseIsExclusiveUntilItExpires() throws Exception {
        queue.remoteRunning = false;
        String id = queue.send(TestMail.envelope("alice@example.org", "bob@example.com"), TestMail.message("lease"));
        queue.awaitQuiet();
        QueueIndex index = new QueueIndex(queue.database().dataSource());
        Instant now = queue.clock.instant().plus(Duration.ofHours(1));

        assertThat(index.claim(id, "node-a/1", now, now.plus(Duration.ofMinutes(10)))).isTrue();
        assertThat(index.claim(id, "node-b/1", now, now.plus(Duration.ofMinutes(10)))).isFalse();
        assertThat(index.claim(id, "node-b/1", now.plus(Duration.ofMinutes(9)), now.plus(Duration.ofMinutes(19)))).isFalse();
        assertThat(index.renew(id, "node-a/1", now.plus(Duration.ofMinutes(20)))).isTrue();

        Instant later = now.plus(Duration.ofMinutes(21));
        assertThat(index.claim(id, "node-b/1", later, later.plus(Duration.ofMinutes(10)))).as("expired lease").isTrue();
        assertThat(index.renew(id, "node-a/1", later.plus(Duration.ofMinutes(30)))).as("the first owner lost it").isFalse();
    }

    @Test
    void anEntryLeasedByADeadNodeWaitsForTheLeaseToExpireThenIsDeliveredOnce() throws Exception {
        queue.remoteRunning = false;
        String id = queue.send(TestMail.envelope("alice@example.org", "bob@example.com"), TestMail.message("orphaned lease"));
        queue.awaitQuiet();
        QueueIndex index = new QueueIndex(queue.database().dataSource());
        Instant now = queue.clock.instant();
        assertThat(index.claim(id, "dead-node/1", now.plus(Duration.ofMinutes(1)), now.plus(Duration.ofMinutes(20)))).isTrue();
        queue.remoteRunning = true;

        queue.advance(Duration.ofMinutes(2));
        assertThat(queue.entry(id).state()).isEqualTo(EntryState.DELIVERING);
        assertThat(queue.remote.calls).isEmpty();

        queue.advance(Duration.ofMinutes(20));
        await().until(() -> !queue.exists(id));
        assertThat(queue.remote.calls).hasSize(1);
    }

    @Test
    void twoDispatchersOnOneDatabaseDeliverEachOfManyEntriesExactlyOnce() throws Exception {
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
        RemoteDelivery counting = counting("a", deliveries, inFlight, overlaps, byNode);
        queue.stopEngine();
        try (QueueEngine second = new QueueEngine(queue.database().dataSource(), queue.folder.resolve("spool"), settings(),
                queue.clock, "node-b", () -> null, () -> queue.users,
                () -> counting("b", deliveries, inFlight, overlaps, byNode), new FilterChain())) {
            second.start();
            QueueEngine first = new QueueEngine(queue.database().dataSource(), queue.folder.resolve("spool"), settings(),
                    queue.clock, "node-a", () -> null, () -> queue.users, () -> counting, new FilterChain());
            first.start();
            try {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    Envelope envelope = TestMail.envelope("alice@example.org", "user" + i + "@remote.test");
                    QueueEngine via = i % 2 == 0 ? first : second;
                    ids.add(via.mailQueue().enqueue(envelope, new ByteArrayInputStream(TestMail.message("m" + i))).id());
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().noneMatch(this::exists));
            } finally {
                first.close();
            }
        }
        assertThat(overlaps).isEmpty();
        assertThat(byNode).as("deliveries per node").isNotEmpty();
        assertThat(deliveries).hasSize(60).allSatisfy((rcpt, count) -> assertThat(count.get()).as(rcpt).isEqualTo(1));
    }

    private boolean exists(String id) {
        try {
            return queue.exists(id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RemoteDelivery counting(String node, Map<String, AtomicInteger> deliveries,
                                           Map<String, AtomicInteger> inFlight, List<String> overlaps,
                                           Map<String, AtomicInteger> byNode) {
        return (domain, envelope, recipients, message) -> {
            List<RecipientOutcome> outcomes = new ArrayList<>();
            for (Recipient r : recipients) {
                String key = r.address().toString();
                if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                    overlaps.add(key);
                }
                readAll(message);
                deliveries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                byNode.computeIfAbsent(node, k -> new AtomicInteger()).incrementAndGet();
                inFlight.get(key).decrementAndGet();
                outcomes.add(FakeRemote.accepted(r));
            }
            return outcomes;
        };
    }

    private static void readAll(MessageSource message) {
        try (var in = message.openStream()) {
            in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
