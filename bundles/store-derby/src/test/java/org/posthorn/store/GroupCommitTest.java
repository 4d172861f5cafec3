package org.posthorn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class GroupCommitTest {

    private final GroupCommit<String, String> group = new GroupCommit<>();
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();

    @Test
    void callersArrivingDuringABatchShareTheNextOneAndEachGetsItsOwnResult() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<String> first = pool.submit(() -> group.submit("inbox", "a", items -> {
                running.countDown();
                awaitLatch(release);
                return run(items);
            }));
            running.await();
            List<Future<String>> later = List.of(
                    pool.submit(() -> group.submit("inbox", "b", this::run)),
                    pool.submit(() -> group.submit("inbox", "c", this::run)),
                    pool.submit(() -> group.submit("inbox", "d", this::run)));
            await().until(() -> group.waiting("inbox") == 3);
            assertThat(group.submit("other", "x", this::run)).as("another key does not wait").isEqualTo("X");

            release.countDown();

            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("A");
            assertThat(later.get(0).get(30, TimeUnit.SECONDS)).isEqualTo("B");
            assertThat(later.get(1).get(30, TimeUnit.SECONDS)).isEqualTo("C");
            assertThat(later.get(2).get(30, TimeUnit.SECONDS)).isEqualTo("D");
            assertThat(batches).hasSize(3).contains(List.of("a"), List.of("x"));
            assertThat(batches).filteredOn(b -> b.size() == 3).singleElement().asList()
                    .as("the three that queued meanwhile, in one batch").containsExactlyInAnyOrder("b", "c", "d");
            assertThat(group.waiting("inbox")).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedBatchFailsEachOfItsCallersAndTheNextBatchRuns() {
        RuntimeException broken = new IllegalStateException("broken");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> group.submit("inbox", "a", items -> {
            throw broken;
        })).isSameAs(broken);
        assertThat(group.submit("inbox", "b", this::run)).isEqualTo("B");
    }

    private List<String> run(List<String> items) {
        batches.add(items);
        return items.stream().map(String::toUpperCase).toList();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
