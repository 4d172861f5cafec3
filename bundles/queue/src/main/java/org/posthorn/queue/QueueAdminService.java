package org.posthorn.queue;

import static org.posthorn.queue.index.DeliveryResult.local;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.queue.QueueQuery;
import org.posthorn.api.queue.RecipientStatus;
import org.posthorn.queue.index.DeliveryResult;
import org.posthorn.queue.index.EntryRecord;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.index.RecipientRecord;
import org.posthorn.queue.index.Sql;
import org.posthorn.queue.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link QueueAdmin} on the index. Changes to an entry's recipients (delete, bounce) are made
 * under a lease of their own, so they never overlap a dispatcher's attempt.
 */
final class QueueAdminService implements QueueAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(QueueAdminService.class);

    private final QueueIndex index;
    private final Spool spool;
    private final Clock clock;
    private final String owner;
    private final Runnable wakeUp;

    /** @param owner the lease owner for admin changes */
    QueueAdminService(QueueIndex index, Spool spool, Clock clock, String owner, Runnable wakeUp) {
        this.index = index;
        this.spool = spool;
        this.clock = clock;
        this.owner = owner;
        this.wakeUp = wakeUp;
    }

    @Override
    public List<QueueEntry> list(QueueQuery query) throws QueueException {
        Instant now = clock.instant();
        return call(() -> index.list(query, now).stream().map(e -> view(e, now)).toList());
    }

    @Override
    public Optional<QueueEntry> entry(String id) throws QueueException {
        Instant now = clock.instant();
        return call(() -> index.load(id).map(e -> view(e, now)));
    }

    @Override
    public boolean retryNow(String id) throws QueueException {
        return woken(call(() -> index.retryNow(id, clock.instant())));
    }

    @Override
    public int retryAll() throws QueueException {
        int count = call(() -> index.retryAll(clock.instant()));
        wakeUp.run();
        return count;
    }

    @Override
    public boolean hold(String id, String reason) throws QueueException {
        boolean held = call(() -> index.holdUnlessLeased(id, reason == null ? "held by an administrator" : reason,
                clock.instant()));
        if (held) {
            LOG.info("{}: held by an administrator ({})", id, reason);
        }
        return held;
    }

    @Override
    public boolean release(String id) throws QueueException {
        return woken(call(() -> index.release(id, clock.instant())));
    }

    @Override
    public boolean delete(String id) throws QueueException {
        Instant now = clock.instant();
        boolean deleted = call(() -> index.lockForAdmin(id, owner, now, now.plusSeconds(60))
                && Sql.transaction(index.dataSource(), c -> index.delete(c, id)));
        if (deleted) {
            spool.delete(id);
            LOG.info("{}: deleted by an administrator", id);
        }
        return deleted;
    }

    /** Fails every open recipient; the dispatcher then queues the bounce and removes the entry. */
    @Override
    public boolean bounce(String id, String reason) throws QueueException {
        Instant now = clock.instant();
        DeliveryResult result = local("5.0.0", reason == null ? "delivery cancelled by the administrator" : reason);
        boolean bounced = call(() -> {
            if (!index.lockForAdmin(id, owner, now, now.plusSeconds(60))) {
                return false;
            }
            Optional<EntryRecord> entry = index.load(id);
            if (entry.isEmpty()) {
                return false;
            }
            boolean reportable = !entry.get().envelope().hasNullSender();
            Sql.transaction(index.dataSource(), c -> {
                for (RecipientRecord r : entry.get().recipients()) {
                    if (r.isOpen()) {
                        r.failed(now, result, reportable && r.wants(DsnNotify.FAILURE));
                        index.update(c, id, r);
                    }
                }
                return null;
            });
            // a held entry is released: the dispatcher must see it to send the bounce
            index.releaseAdminLock(id, owner, now);
            return true;
        });
        if (bounced) {
            LOG.info("{}: bounced by an administrator ({})", id, result.text());
        }
        return woken(bounced);
    }

    @Override
    public Map<EntryState, Long> counts() throws QueueException {
        return call(() -> index.counts(clock.instant()));
    }

    private boolean woken(boolean changed) {
        if (changed) {
            wakeUp.run();
        }
        return changed;
    }

    private static QueueEntry view(EntryRecord e, Instant now) {
        List<RecipientStatus> recipients = e.recipients().stream().map(r -> new RecipientStatus(
                r.recipient().address(), r.account(), r.state(), r.attempts(), r.lastAttempt(),
                r.isOpen() ? r.nextAttempt() : null, r.result() == null ? null : r.result().statusCode(),
                r.result() == null ? null : r.result().text(), r.result() == null ? null : r.result().remoteHost()))
                .toList();
        return new QueueEntry(e.id(), e.envelope().sender(), e.arrival(), e.size(), e.state(now), e.nextAttempt(),
                e.holdReason(), recipients);
    }

    @FunctionalInterface
    private interface IndexCall<T> {
        T call() throws SQLException;
    }

    private static <T> T call(IndexCall<T> call) throws QueueException {
        try {
            return call.call();
        } catch (SQLException e) {
            throw new QueueException("queue database unavailable: " + e.getMessage(), true, e);
        }
    }
}
