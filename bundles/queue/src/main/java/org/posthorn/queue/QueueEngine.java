package org.posthorn.queue;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.queue.delivery.LocalDelivery;
import org.posthorn.queue.dispatch.Dispatcher;
import org.posthorn.queue.dispatch.MessageDelivery;
import org.posthorn.queue.dispatch.QueueSettings;
import org.posthorn.queue.dsn.DsnWriter;
import org.posthorn.queue.dsn.Notifier;
import org.posthorn.queue.filter.FilterChain;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.remote.RemoteDelivery;
import org.posthorn.queue.spool.GroupCommitter;
import org.posthorn.queue.spool.QueueIds;
import org.posthorn.queue.spool.Spool;
import org.posthorn.queue.spool.SpoolQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole queue of one node, without OSGi: spool, index, group committer, dispatcher, admin.
 * {@link QueueComponent} builds one per activation; tests build it directly. The services it
 * uses may come and go: the suppliers return the current one, or null while there is none.
 */
public final class QueueEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueEngine.class);

    private final QueueIndex index;
    private final Spool spool;
    private final Clock clock;
    private final String owner;
    private final FilterChain filters;
    private final GroupCommitter committer;
    private final Dispatcher dispatcher;
    private final MessageDelivery delivery;
    private final SpoolQueue mailQueue;
    private final QueueAdmin admin;

    /**
     * @param dataSource     the database, with the queue's schema migrated
     * @param spoolDirectory where the message files go (created if missing)
     * @param nodeName       this node's name; with a random suffix it names this start in leases
     * @param remote         remote delivery (SMTP to other domains' servers)
     */
    public QueueEngine(DataSource dataSource, Path spoolDirectory, QueueSettings settings, Clock clock, String nodeName,
                       Supplier<MailboxStore> stores, Supplier<UserDirectory> users, Supplier<RemoteDelivery> remote,
                       FilterChain filters) throws IOException {
        this.index = new QueueIndex(dataSource);
        this.spool = new Spool(spoolDirectory);
        this.clock = clock;
        this.filters = filters;
        byte[] startId = new byte[4];
        new SecureRandom().nextBytes(startId);
        this.owner = nodeName + "/" + HexFormat.of().formatHex(startId);
        QueueIds ids = new QueueIds(clock);
        Notifier notifier = new Notifier(spool, index, ids, new DsnWriter(settings.hostName(), settings.fullMessageLimit()),
                clock);
        this.delivery = new MessageDelivery(index, spool, filters, new LocalDelivery(stores), users, remote,
                notifier, settings, clock);
        this.dispatcher = new Dispatcher(index, delivery, spool, settings, clock, owner);
        this.committer = new GroupCommitter(spool, index, "posthorn-queue-committer");
        this.mailQueue = new SpoolQueue(spool, committer, ids, clock, dispatcher::wakeUp);
        this.admin = new QueueAdminService(index, spool, clock, owner + "/admin", dispatcher::wakeUp);
    }

    /**
     * Checks the spool against the index, then starts delivering. An entry whose file is
     * missing is logged as an error and held; files without an entry are deleted once they are
     * older than {@link Dispatcher#ORPHAN_AGE} (younger ones may belong to another node's
     * enqueue that is about to commit).
     */
    public void start() throws SQLException, IOException {
        Set<String> entries = index.ids();
        Set<String> files = spool.ids();
        for (String id : entries) {
            if (!files.contains(id)) {
                LOG.error("{}: QUEUE ENTRY WITHOUT ITS SPOOL FILE {}: held; restore the file and release the entry,"
                        + " or delete it", id, spool.file(id));
                index.hold(id, "spool file missing");
            }
        }
        int garbage = spool.collectGarbage(entries::contains, Instant.now().minus(Dispatcher.ORPHAN_AGE));
        LOG.info("Queue started as {}: {} entries, spool {} ({} orphaned files deleted)", owner, entries.size(),
                spool.directory(), garbage);
        dispatcher.start();
    }

    public MailQueue mailQueue() {
        return mailQueue;
    }

    public QueueAdmin admin() {
        return admin;
    }

    public FilterChain filters() {
        return filters;
    }

    /** This start's name in leases. */
    public String owner() {
        return owner;
    }

    /** Looks for due entries now. */
    public void wakeUp() {
        dispatcher.wakeUp();
    }

    /**
     * A service the queue waited for (mailbox store, user directory, remote delivery) is back:
     * recipients deferred for its absence are due now.
     */
    public void serviceReturned() {
        delivery.serviceReturned();
        dispatcher.serviceReturned();
    }

    /** Commits what was handed over, stops delivering and gives back the leases. */
    @Override
    public void close() {
        committer.close();
        dispatcher.close();
    }
}
