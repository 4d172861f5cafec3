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

    /** Idle connections kept for transactions; opening an embedded Derby connection costs more than a small delivery. */
    private static final int POOL_SIZE = 16;

    private final DataSource dataSource;
    private final int retries;
    private final java.util.concurrent.BlockingDeque<Connection> idle =
            new java.util.concurrent.LinkedBlockingDeque<>(POOL_SIZE);
    private volatile boolean closed;

    public Database(DataSource dataSource, int retries) {
        this.dataSource = dataSource;
        this.retries = retries;
    }

    private Connection borrow() throws SQLException {
        Connection c = idle.pollFirst();
        if (c != null && !c.isClosed()) {
            return c;
        }
        c = open();
        c.setAutoCommit(false);
        return c;
    }

    /** Keeps a connection whose transaction ended cleanly, or closes it. */
    private void release(Connection c, boolean clean) {
        if (clean && !closed && idle.offerFirst(c)) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("Closing a connection failed: {}", e.getMessage());
        }
    }

    /** Closes the idle connections; later transactions open and close their own. */
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            release(c, false);
        }
    }

    /** A connection for the caller to manage (streams that outlive a call), READ_COMMITTED. */
    public Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return c;
    }

    public <T> T transaction(Work<T> work) throws StoreException {
        for (int attempt = 0; ; attempt++) {
            Connection c = null;
            boolean clean = false;
            try {
                c = borrow();
                Tx tx = new Tx(c);
                T result;
                try {
                    result = work.run(tx);
                    c.commit();
                } catch (SQLException | StoreException | IOException | RuntimeException e) {
                    clean = rollback(c) && !(e instanceof SQLException);
                    tx.afterRollback.forEach(Runnable::run);
                    throw e;
                }
                clean = true;
                tx.afterCommit.forEach(Runnable::run);
                return result;
            } catch (SQLException e) {
                if (DEADLOCK.equals(e.getSQLState()) && attempt < retries) {
                    LOG.debug("Deadlock, retrying (attempt {})", attempt + 1);
                    continue;
                }
                if (e.getSQLState() != null && e.getSQLState().startsWith("08") && attempt == 0) {
                    // a pooled connection the database closed meanwhile: once more on a fresh one
                    close();
                    closed = false;
                    continue;
                }
                throw unavailable(e);
            } catch (IOException e) {
                throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot read message: " + e.getMessage(), e);
            } finally {
                if (c != null) {
                    release(c, clean);
                }
            }
        }
    }

    static StoreException unavailable(SQLException e) {
        LOG.warn("Database error {}: {}", e.getSQLState(), e.getMessage());
        return new StoreException(StoreException.Reason.UNAVAILABLE, "database error: " + e.getMessage(), e);
    }

    private static boolean rollback(Connection c) {
        try {
            c.rollback();
            return true;
        } catch (SQLException e) {
            LOG.debug("Rollback failed: {}", e.getMessage());
            return false;
        }
    }
}
