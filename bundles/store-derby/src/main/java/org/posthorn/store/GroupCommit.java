package org.posthorn.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Lets concurrent callers that need the same lock share one transaction. Writers of a mailbox
 * hold its row lock until their commit has forced the log, so they could otherwise only commit
 * one after the other, one log write each. Here the first caller for a key runs its work at
 * once; callers arriving meanwhile queue, and when it is done the first of them runs the work
 * of all queued callers in one batch. An uncontended caller never waits.
 *
 * @param <T> what one caller asks for
 * @param <R> its result
 */
final class GroupCommit<T, R> {

    private final class Waiter {
        final T item;
        R result;
        RuntimeException failure;
        boolean lead;
        boolean done;

        Waiter(T item) {
            this.item = item;
        }
    }

    /** Per key, the callers waiting while a batch of that key runs; guarded by {@code this}. */
    private final Map<String, ArrayDeque<Waiter>> waiting = new HashMap<>();

    /**
     * Runs {@code item} in a batch with others of the same {@code key}.
     *
     * @param batch runs a batch's items, returning one result per item in order; must not block
     *              on another batch of the same key
     */
    R submit(String key, T item, Function<List<T>, List<R>> batch) {
        Waiter me = new Waiter(item);
        List<Waiter> mine = new ArrayList<>();
        synchronized (this) {
            ArrayDeque<Waiter> queue = waiting.get(key);
            if (queue == null) {
                waiting.put(key, new ArrayDeque<>());
            } else {
                queue.add(me);
                awaitTurn(me);
                if (me.done) {
                    return result(me);
                }
            }
            mine.add(me);
            mine.addAll(waiting.get(key));
            waiting.get(key).clear();
        }
        List<R> results = null;
        RuntimeException failure = null;
        try {
            results = batch.apply(mine.stream().map(w -> w.item).toList());
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            synchronized (this) {
                for (int i = 0; i < mine.size(); i++) {
                    Waiter w = mine.get(i);
                    w.result = results == null ? null : results.get(i);
                    w.failure = results == null ? (failure != null ? failure : new IllegalStateException("batch failed"))
                            : null;
                    w.done = true;
                }
                ArrayDeque<Waiter> queue = waiting.get(key);
                if (queue.isEmpty()) {
                    waiting.remove(key);
                } else {
                    queue.poll().lead = true; // takes the rest of the queue as the next batch
                }
                notifyAll();
            }
        }
        return result(me);
    }

    /** How many callers wait for a batch of {@code key} (tests). */
    synchronized int waiting(String key) {
        ArrayDeque<Waiter> queue = waiting.get(key);
        return queue == null ? 0 : queue.size();
    }

    private void awaitTurn(Waiter me) {
        boolean interrupted = false;
        while (!me.done && !me.lead) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // the queued work will run; leaving the queue would lose it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private R result(Waiter w) {
        if (w.failure != null) {
            throw w.failure;
        }
        return w.result;
    }
}
