package org.posthorn.queue.spool;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.queue.QueuedMessage;
import org.posthorn.queue.index.NewEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MailQueue} on the spool and the index: the message is streamed into a spool file and
 * forced to disk by the calling thread, then its row is committed by the {@link GroupCommitter};
 * only then does {@link #enqueue} return.
 */
public final class SpoolQueue implements MailQueue {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolQueue.class);
    /** RFC 3461 §4.4 limits ENVID to 100 characters; twice that leaves room for lenient clients. */
    private static final int MAX_ENVID = 200;
    /** RFC 3461 §4.2 keeps ORCPT within 500 characters; the column has room for more. */
    private static final int MAX_ORCPT = 1024;

    private final Spool spool;
    private final GroupCommitter committer;
    private final QueueIds ids;
    private final Clock clock;
    private final Runnable onEnqueued;

    /**
     * @param onEnqueued run after each successful enqueue (wakes the dispatcher)
     */
    public SpoolQueue(Spool spool, GroupCommitter committer, QueueIds ids, Clock clock, Runnable onEnqueued) {
        this.spool = spool;
        this.committer = committer;
        this.ids = ids;
        this.clock = clock;
        this.onEnqueued = onEnqueued;
    }

    @Override
    public QueuedMessage enqueue(Envelope envelope, InputStream message) throws QueueException {
        check(envelope);
        String id = ids.next();
        SpooledFile file;
        try {
            file = spool.write(id, message);
        } catch (IOException | RuntimeException e) {
            throw new QueueException("message not stored: " + e.getMessage(), true, e);
        }
        NewEntry entry = new NewEntry(id, envelope, file.size(), file.bodyOffset(), clock.instant());
        try {
            awaitUninterruptibly(committer.commit(entry));
        } catch (ExecutionException e) {
            spool.delete(id);
            throw new QueueException("message not recorded: " + e.getCause().getMessage(), true, e.getCause());
        }
        LOG.info("{}: queued from={} rcpts={} size={} via {} {}", id, envelope.sender() == null ? "<>" : envelope.sender(),
                envelope.recipients().size(), file.size(), envelope.origin().listener(), envelope.origin().clientAddress());
        onEnqueued.run();
        return new QueuedMessage(id, file.size());
    }

    /**
     * Waits for the commit even if interrupted: the entry may commit after all, and its file must
     * then stay, so returning early would risk either a lost message or an unowned file.
     */
    private static void awaitUninterruptibly(CompletableFuture<Void> commit) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    commit.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void check(Envelope envelope) throws QueueException {
        if (envelope.envelopeId() != null && envelope.envelopeId().length() > MAX_ENVID) {
            throw new QueueException("ENVID longer than " + MAX_ENVID + " characters", false, null);
        }
        for (Recipient r : envelope.recipients()) {
            if (r.originalRecipient() != null && r.originalRecipient().length() > MAX_ORCPT) {
                throw new QueueException("ORCPT longer than " + MAX_ORCPT + " characters", false, null);
            }
        }
    }
}
