package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.QueueTestBase;

/**
 * Admin changes racing the dispatcher on a real Derby: retries and deletes while entries are
 * delivered and removed, and a hold against the claim of an attempt.
 */
class QueueAdminRaceTest extends QueueTestBase {

    private static final int ROUNDS = 4;
    private static final int ENTRIES = 150;

    @BeforeEach
    void lockSettingsOfALargeQueue() throws Exception {
        try (Connection c = queue.database().dataSource().getConnection();
             CallableStatement set = c.prepareCall("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY(?, ?)")) {
            // Derby looks for a deadlock only after a lock wait this long (20 s by default) ...
            property(set, "derby.locks.deadlockTimeout", "1");
            // ... and a transaction with this many row locks of a table takes the whole table
            // (5000 by default): what retrying all of a large queue does
            property(set, "derby.locks.escalationThreshold", "100");
        }
    }

    private static void property(CallableStatement set, String key, String value) throws Exception {
        set.setString(1, key);
        set.setString(2, value);
        set.execute();
    }

    @FunctionalInterface
    private interface AdminWork {
        void run(QueueAdmin admin) throws Exception;
    }

    /** A thread that does {@code work} once {@code start} opens, and records what it threw. */
    private Thread admin(CountDownLatch start, List<Throwable> failures, AdminWork work) {
        Thread thread = new Thread(() -> {
            try {
                start.await();
                work.run(queue.admin());
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        thread.start();
        return thread;
    }

    @Test
    void retriesAndDeletesWhileEntriesAreDeliveredAndRemovedAllSucceed() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            queue.remote.answer = FakeRemote::deferred;
            Map<String, String> subjects = new LinkedHashMap<>();
            for (int i = 0; i < ENTRIES; i++) {
                String subject = "round " + round + " entry " + i;
                subjects.put(queue.send(TestMail.envelope("alice@sender.test", "x@r" + round + ".test",
                        "y@r" + round + ".test"), TestMail.message(subject)), subject);
            }
            queue.awaitQuiet();
            int deferredCalls = queue.remote.calls.size();
            queue.remote.answer = FakeRemote::accepted;
            List<String> ids = List.copyOf(subjects.keySet());

            Set<String> deleted = ConcurrentHashMap.newKeySet();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> admins = List.of(
                    admin(start, failures, admin -> {
                        for (int i = 0; i < 20; i++) {
                            admin.retryAll();
                        }
                    }),
                    admin(start, failures, admin -> {
                        for (String id : ids) {
                            admin.retryNow(id);
                        }
                    }),
                    admin(start, failures, admin -> {
                        for (int i = 0; i < ids.size(); i += 3) {
                            if (admin.delete(ids.get(i))) {
                                deleted.add(ids.get(i));
                            }
                        }
                    }));
            start.countDown();
            for (Thread thread : admins) {
                thread.join(TimeUnit.MINUTES.toMillis(2));
                assertThat(thread.isAlive()).isFalse();
            }
            assertThat(failures).as("round %d", round).isEmpty();

            // an attempt that lost a deadlock waits for its retry: the admin makes it due
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                queue.admin().retryAll();
                queue.awaitQuiet();
                return ids.stream().noneMatch(id -> exists(id));
            });
            Set<String> delivered = new HashSet<>();
            for (FakeRemote.Call call : queue.remote.calls.subList(deferredCalls, queue.remote.calls.size())) {
                subjects.forEach((id, subject) -> {
                    if (call.text().contains("Subject: " + subject + "\r\n")) {
                        delivered.add(id);
                    }
                });
            }
            assertThat(delivered).as("nothing deleted is delivered").doesNotContainAnyElementsOf(deleted);
            assertThat(union(delivered, deleted)).as("the rest is delivered").containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void anEntryBeingDeliveredCannotBeHeld() throws Exception {
        CountDownLatch delivering = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        queue.remote.answer = r -> {
            delivering.countDown();
            awaitUninterruptibly(finish);
            return FakeRemote.accepted(r);
        };
        String id = queue.send(TestMail.envelope("alice@sender.test", "x@remote.test"), TestMail.message("in flight"));
        assertThat(delivering.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(queue.admin().hold(id, "too late")).isFalse();

        finish.countDown();
        await().until(() -> !queue.exists(id));
        assertThat(queue.remote.mail()).hasSize(1);
    }

    @Test
    void aHoldRacingTheClaimEitherStopsDeliveryOrSaysItIsTooLate() throws Exception {
        queue.remote.answer = FakeRemote::accepted;
        for (int round = 0; round < 40; round++) {
            String domain = "h" + round + ".test";
            // the dispatcher is woken by the new entry and claims it while the admin holds it
            String id = queue.send(TestMail.envelope("alice@sender.test", "x@" + domain), TestMail.message("round " + round));
            if (queue.admin().hold(id, "racing")) {
                queue.awaitQuiet();
                assertThat(queue.entry(id).state()).isEqualTo(EntryState.HELD);
                assertThat(queue.remote.mail()).noneMatch(call -> call.domain().equals(domain));
                assertThat(queue.admin().delete(id)).isTrue();
            } else {
                await().until(() -> !queue.exists(id));
                assertThat(queue.remote.mail()).filteredOn(call -> call.domain().equals(domain)).hasSize(1);
            }
        }
    }

    private boolean exists(String id) {
        try {
            return queue.exists(id);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
