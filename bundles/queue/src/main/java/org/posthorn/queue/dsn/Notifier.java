package org.posthorn.queue.dsn;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.posthorn.api.mail.MessageSource;
import org.posthorn.queue.index.EntryRecord;
import org.posthorn.queue.index.NewEntry;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.index.RecipientRecord;
import org.posthorn.queue.index.Sql;
import org.posthorn.queue.spool.QueueIds;
import org.posthorn.queue.spool.Spool;
import org.posthorn.queue.spool.SpooledFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues DSNs as new entries of this queue. The DSN's row and the recipient rows that say
 * "reported" commit in one transaction, so after a crash a report is either queued and marked
 * done, or neither, and is then made again: never lost, never sent twice.
 */
public final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final Spool spool;
    private final QueueIndex index;
    private final QueueIds ids;
    private final DsnWriter writer;
    private final Clock clock;

    public Notifier(Spool spool, QueueIndex index, QueueIds ids, DsnWriter writer, Clock clock) {
        this.spool = spool;
        this.index = index;
        this.ids = ids;
        this.writer = writer;
        this.clock = clock;
    }

    /**
     * Queues one DSN to the sender of {@code entry} and saves {@code rows} with it.
     *
     * @param retryUntil when the queue gives up on delayed recipients
     * @return the DSN's queue id
     */
    public String send(EntryRecord entry, List<ReportLine> lines, Instant retryUntil, List<RecipientRecord> rows)
            throws IOException, SQLException {
        if (entry.envelope().hasNullSender()) {
            throw new IllegalArgumentException("no DSN to the null sender");
        }
        Instant now = clock.instant();
        String id = ids.next();
        byte[] header = spool.readHeader(entry.id(), entry.bodyOffset());
        MessageSource original = spool.original(entry.id());
        SpooledFile file = spool.write(id, out -> writer.write(out, id, now, entry, lines, retryUntil, original, header));
        try {
            spool.syncDirectory();
            Sql.transaction(index.dataSource(), c -> {
                index.insert(c, new NewEntry(id, writer.envelope(entry, now), file.size(), file.bodyOffset(), now));
                for (RecipientRecord r : rows) {
                    index.update(c, entry.id(), r);
                }
                return null;
            });
        } catch (IOException | SQLException | RuntimeException e) {
            spool.delete(id);
            throw e;
        }
        LOG.info("{}: DSN {} queued to <{}> about {} recipient(s): {}", entry.id(), id, entry.envelope().sender(),
                lines.size(), lines.stream().map(l -> l.action().field()).distinct().toList());
        return id;
    }
}
