package org.posthorn.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Allocates {@code store_content} ids in memory, starting above the largest id in the table.
 * Unique within one JVM; nodes sharing a database may collide, which the insert detects
 * (duplicate key) and answers with {@link #reset()} and a new id.
 */
final class ContentIds {

    private long next;
    private boolean known;

    synchronized long next(Connection c) throws SQLException {
        if (!known) {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(id) FROM store_content");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                next = Math.max(next, rs.getLong(1) + 1);
            }
            known = true;
        }
        return next++;
    }

    /** Forgets the position, so the next id is read from the table again. */
    synchronized void reset() {
        known = false;
    }
}
