package org.posthorn.queue.spool;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

import org.posthorn.queue.index.NewEntry;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.index.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes new entries durable in batches. Each enqueueing thread forces its own spool file to
 * disk, then hands the entry here and waits; one committer thread takes every entry waiting at
 * that moment, forces the spool directory once (making all their renames durable), and inserts
 * all their rows in one transaction, whose commit Derby forces to its log once. So N sessions
 * arriving together cost one directory sync and one log sync instead of N of each.
 *
 * <p>If a batch's transaction fails, its entries are retried one transaction each, so one bad
 * entry cannot fail the others. {@link #close()} commits what was handed over before it and
 * fails later hand-overs.
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
    private static final int MAX_BATCH = 256;

    private final Spool spool;
    private final QueueIndex index;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private boolean closed;

    private record Pending(NewEntry entry, CompletableFuture<Void> done) {
    }

    private static final Pending STOP = new Pending(null, null);

    public GroupCommitter(Spool spool, QueueIndex index, String threadName) {
        this.spool = spool;
        this.index = index;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Hands over an entry whose spool file is forced to disk; the future completes when its row is committed. */
    public CompletableFuture<Void> commit(NewEntry entry) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the queue is stopping"));
                return done;
            }
            queue.add(new Pending(entry, done));
        }
        return done;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        Threads.joinUninterruptibly(thread);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() ends this thread, after the entries handed over before it
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                commitBatch(batch);
            }
            batch.clear();
        }
    }

    private void commitBatch(List<Pending> batch) {
        try {
            spool.syncDirectory();
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot force the spool directory {} to disk: {}", spool.directory(), e.getMessage(), e);
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        try {
            insert(batch);
            batch.forEach(p -> p.done().complete(null));
        } catch (SQLException | RuntimeException e) {
            if (batch.size() == 1) {
                LOG.error("Cannot record queue entry {}: {}", batch.get(0).entry().id(), e.getMessage(), e);
                batch.get(0).done().completeExceptionally(e);
                return;
            }
            LOG.warn("A batch of {} queue entries failed ({}); committing them one by one", batch.size(), e.getMessage());
            for (Pending p : batch) {
                commitBatch(List.of(p));
            }
        }
    }

    private void insert(List<Pending> batch) throws SQLException {
        Sql.transaction(index.dataSource(), (Connection c) -> {
            for (Pending p : batch) {
                index.insert(c, p.entry());
            }
            return null;
        });
    }
}
