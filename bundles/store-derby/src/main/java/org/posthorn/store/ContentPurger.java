package org.posthorn.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes raw messages no message row refers to any more, in the background and in small
 * transactions. Expunge only records candidates: deleting the BLOB there would make the
 * expunge (which holds the mailbox lock) wait for a client still streaming that message.
 * A content row is deleted only if, in the same statement, no message refers to it; new
 * references are only made from existing ones, so none can appear afterwards.
 */
final class ContentPurger {

    private static final Logger LOG = LoggerFactory.getLogger(ContentPurger.class);
    private static final int BATCH = 100;

    private final Database database;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "posthorn-store-purge");
        t.setDaemon(true);
        return t;
    });

    ContentPurger(Database database) {
        this.database = database;
    }

    /** Schedules a purge run unless one is pending. */
    void wake() {
        if (scheduled.compareAndSet(false, true) && !thread.isShutdown()) {
            thread.execute(() -> {
                scheduled.set(false);
                purge();
            });
        }
    }

    /** Purges all candidates now; returns how many content rows were deleted. */
    int purge() {
        int deleted = 0;
        try (Connection c = database.open()) {
            c.setAutoCommit(false);
            while (true) {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT DISTINCT content_id FROM store_purge FETCH FIRST " + BATCH + " ROWS ONLY");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                c.commit();
                if (ids.isEmpty()) {
                    return deleted;
                }
                try (PreparedStatement content = c.prepareStatement("DELETE FROM store_content WHERE id = ?"
                        + " AND NOT EXISTS (SELECT 1 FROM store_message WHERE content_id = ?)");
                     PreparedStatement candidate = c.prepareStatement("DELETE FROM store_purge WHERE content_id = ?")) {
                    for (long id : ids) {
                        content.setLong(1, id);
                        content.setLong(2, id);
                        content.addBatch();
                        candidate.setLong(1, id);
                        candidate.addBatch();
                    }
                    for (int n : content.executeBatch()) {
                        deleted += n;
                    }
                    candidate.executeBatch();
                    c.commit(); // one forced log write for the batch, not one per message
                }
            }
        } catch (SQLException e) {
            LOG.warn("Purging expunged messages failed, will retry on the next expunge: {}", e.getMessage());
            return deleted;
        }
    }

    void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
