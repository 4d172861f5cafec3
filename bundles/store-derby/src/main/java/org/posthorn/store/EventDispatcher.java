package org.posthorn.store;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells listeners of committed changes, in commit order per mailbox, on one store-owned thread.
 *
 * <p>A transaction takes a {@link Ticket} while it holds the mailbox's row lock, so tickets of a
 * mailbox are queued in lock order, which is commit order. After commit the ticket is
 * published, after rollback cancelled; events leave the queue only from its head, so a
 * transaction that commits late never has its event overtaken.
 */
final class EventDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    /** A place in a mailbox's event order. */
    final class Ticket {
        private final long mailboxId;
        private List<MailboxEvent> events;
        private boolean resolved;

        private Ticket(long mailboxId) {
            this.mailboxId = mailboxId;
        }

        void publish(List<MailboxEvent> committed) {
            resolve(this, committed);
        }

        void cancel() {
            resolve(this, null);
        }
    }

    private final List<MailboxListener> listeners = new CopyOnWriteArrayList<>();
    /** Per mailbox, the tickets not yet sent; updated with compute, which locks only that mailbox's bin. */
    private final Map<Long, ArrayDeque<Ticket>> queues = new ConcurrentHashMap<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "posthorn-store-events");
        t.setDaemon(true);
        return t;
    });

    void addListener(MailboxListener listener) {
        listeners.add(listener);
    }

    void removeListener(MailboxListener listener) {
        listeners.remove(listener);
    }

    /** Takes the next place in the mailbox's order; call while holding the mailbox row lock. */
    Ticket register(long mailboxId) {
        Ticket ticket = new Ticket(mailboxId);
        queues.compute(mailboxId, (id, queue) -> {
            ArrayDeque<Ticket> q = queue == null ? new ArrayDeque<>() : queue;
            q.add(ticket);
            return q;
        });
        return ticket;
    }

    private void resolve(Ticket ticket, List<MailboxEvent> events) {
        queues.computeIfPresent(ticket.mailboxId, (id, queue) -> {
            if (ticket.resolved) {
                return queue;
            }
            ticket.resolved = true;
            ticket.events = events;
            // the executor is FIFO and this runs under the mailbox's bin lock: order is kept
            while (!queue.isEmpty() && queue.peek().resolved) {
                List<MailboxEvent> ready = queue.poll().events;
                if (ready != null && !ready.isEmpty() && !thread.isShutdown()) {
                    thread.execute(() -> deliver(ready));
                }
            }
            return queue.isEmpty() ? null : queue;
        });
    }

    private void deliver(List<MailboxEvent> events) {
        for (MailboxEvent event : events) {
            for (MailboxListener listener : listeners) {
                try {
                    listener.changed(event);
                } catch (RuntimeException e) {
                    LOG.warn("Mailbox listener {} failed on {}: {}", listener, event.kind(), e.toString(), e);
                }
            }
        }
    }

    /** Delivers what is queued, then stops the thread. */
    void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
