package org.posthorn.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.posthorn.api.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of work in short READ_COMMITTED transactions. A transaction Derby chose as a
 * deadlock victim (SQLState 40001) is retried a bounded number of times; work must therefore
 * be repeatable (re-open message sources, re-read rows). Actions registered with
 * {@link Tx#afterCommit} run once the commit succeeded, {@link Tx#afterRollback} ones when an
 * attempt is abandoned, so events are never sent for changes that did not happen.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final String DEADLOCK = "40001";

    /** A unit of work in one transaction. */
    public interface Work<T> {
        T run(Tx tx) throws SQLException, StoreException, IOException;
    }

    /** The transaction a unit of work runs in. */
    public static final class Tx {
        private final Connection connection;
        private final List<Runnable> afterCommit = new ArrayList<>();
        private final List<Runnable> afterRollback = new ArrayList<>();

        Tx(Connection connection) {
            this.connection = connection;
        }

        public Connection connection() {
            return connection;
        }

        public void afterCommit(Runnable action) {
            afterCommit.add(action);
        }

        public void afterRollback(Runnable action) {
            afterRollback.add(action);
        }
    }

    private final DataSource dataSource;
    private final int retries;

    /**
     * @param dataSource pools its connections (as {@code org.posthorn.db} does): every transaction
     *                   and every message stream takes one and closes it
     */
    public Database(DataSource dataSource, int retries) {
        this.dataSource = dataSource;
        this.retries = retries;
    }

    /** A connection for the caller to manage (streams that outlive a call), READ_COMMITTED. */
    public Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        if (c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        return c;
    }

    public <T> T transaction(Work<T> work) throws StoreException {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = open()) {
                c.setAutoCommit(false);
                Tx tx = new Tx(c);
                T result;
                try {
                    result = work.run(tx);
                    c.commit();
                } catch (SQLException | StoreException | IOException | RuntimeException e) {
                    rollback(c);
                    tx.afterRollback.forEach(Runnable::run);
                    throw e;
                }
                tx.afterCommit.forEach(Runnable::run);
                return result;
            } catch (SQLException e) {
                if (DEADLOCK.equals(e.getSQLState()) && attempt < retries) {
                    LOG.debug("Deadlock, retrying (attempt {})", attempt + 1);
                    continue;
                }
                if (e.getSQLState() != null && e.getSQLState().startsWith("08") && attempt == 0) {
                    // a pooled connection the database closed meanwhile: the pool drops it, try once more
                    continue;
                }
                throw unavailable(e);
            } catch (IOException e) {
                throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot read message: " + e.getMessage(), e);
            }
        }
    }

    static StoreException unavailable(SQLException e) {
        LOG.warn("Database error {}: {}", e.getSQLState(), e.getMessage());
        return new StoreException(StoreException.Reason.UNAVAILABLE, "database error: " + e.getMessage(), e);
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("Rollback failed: {}", e.getMessage());
        }
    }
}
