package org.posthorn.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool of physical connections. {@link #borrow()} lends one behind a proxy whose
 * {@code close()} gives it back; on its way back the pool closes the statements opened through
 * it, rolls back what was not committed and restores autocommit, isolation, read-only,
 * holdability and schema to what the connection had when it was opened. A connection that is
 * closed, failed with a connection error (SQLState class 08) or cannot be reset is closed
 * instead of kept. Thread-safe.
 */
final class ConnectionPool {

    /** Opens a new physical connection. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    /**
     * @param maxSize most connections lent out and idle together
     * @param maxIdle most connections kept open between uses
     * @param maxWait how long {@link #borrow()} waits for a connection when {@code maxSize} are lent out
     */
    record Limits(int maxSize, int maxIdle, Duration maxWait) {
        static final Limits DEFAULT = new Limits(100, 32, Duration.ofSeconds(30));

        Limits {
            if (maxSize < 1 || maxIdle < 0 || maxWait.isNegative()) {
                throw new IllegalArgumentException("pool limits must be positive: " + maxSize + ", " + maxIdle + ", "
                        + maxWait);
            }
            maxIdle = Math.min(maxIdle, maxSize);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
    /** A lease prunes its closed statements when it holds this many. */
    private static final int STATEMENTS_BEFORE_PRUNING = 64;

    private final Opener opener;
    private final Limits limits;
    private final Semaphore permits;
    private final Deque<Physical> idle = new ArrayDeque<>();
    private final Set<Physical> open = new HashSet<>();
    private boolean closed;

    ConnectionPool(Opener opener, Limits limits) {
        this.opener = opener;
        this.limits = limits;
        this.permits = new Semaphore(limits.maxSize(), true);
    }

    /** A connection for one caller; closing it returns it to the pool. */
    Connection borrow() throws SQLException {
        acquirePermit();
        try {
            Physical physical = takeIdle();
            if (physical == null) {
                physical = openPhysical();
            }
            return lend(physical);
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /**
     * Closes every connection, those lent out included (their uncommitted work is rolled back;
     * their holders get errors from then on), and refuses new borrowers.
     */
    void close() {
        List<Physical> all;
        List<Physical> lent = new ArrayList<>();
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(open);
            all.stream().filter(p -> p.lent).forEach(lent::add);
            open.clear();
            idle.clear();
        }
        for (Physical p : lent) {
            rollbackQuietly(p.connection);
        }
        for (Physical p : all) {
            closeQuietly(p.connection);
        }
        if (!lent.isEmpty()) {
            LOG.warn("Closed {} database connections still in use", lent.size());
        }
    }

    private void acquirePermit() throws SQLException {
        try {
            if (!permits.tryAcquire(limits.maxWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SQLTransientConnectionException("all " + limits.maxSize()
                        + " database connections are in use (pool.max.size)", "08004");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted waiting for a database connection", "08004", e);
        }
    }

    private Physical takeIdle() throws SQLException {
        while (true) {
            Physical p;
            synchronized (this) {
                if (closed) {
                    throw new SQLNonTransientConnectionException("the database is closed", "08003");
                }
                p = idle.pollFirst();
                if (p == null) {
                    return null;
                }
                p.lent = true;
            }
            if (!p.connection.isClosed()) {
                return p;
            }
            discard(p);
        }
    }

    private Physical openPhysical() throws SQLException {
        Physical p = new Physical(opener.open());
        synchronized (this) {
            if (!closed) {
                p.lent = true;
                open.add(p);
                return p;
            }
        }
        closeQuietly(p.connection);
        throw new SQLNonTransientConnectionException("the database is closed", "08003");
    }

    private Connection lend(Physical physical) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new Lease(physical));
    }

    private void giveBack(Lease lease) {
        Physical p = lease.physical;
        boolean reusable = lease.reset();
        synchronized (this) {
            p.lent = false;
            if (reusable && !closed && open.contains(p) && idle.size() < limits.maxIdle()) {
                // most recently used first: its pages and plans are the warmest
                idle.addFirst(p);
                p = null;
            } else {
                open.remove(p);
            }
        }
        if (p != null) {
            closeQuietly(p.connection);
        }
        permits.release();
    }

    private void discard(Physical p) {
        synchronized (this) {
            open.remove(p);
        }
        closeQuietly(p.connection);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            LOG.debug("Rollback of a pooled connection failed: {}", e.getMessage());
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("Closing a pooled connection failed: {}", e.getMessage());
        }
    }

    /** A physical connection and the state it had when opened, which every borrower gets. */
    private static final class Physical {
        final Connection connection;
        final int isolation;
        final int holdability;
        final boolean readOnly;
        final String schema;
        boolean lent;

        Physical(Connection connection) throws SQLException {
            this.connection = connection;
            this.isolation = connection.getTransactionIsolation();
            this.holdability = connection.getHoldability();
            this.readOnly = connection.isReadOnly();
            this.schema = connection.getSchema();
        }
    }

    /** One borrower's use of a physical connection: the proxy's handler. */
    private final class Lease implements InvocationHandler {
        final Physical physical;
        private final List<Statement> statements = new ArrayList<>();
        private boolean returned;
        private boolean broken;

        Lease(Physical physical) {
            this.physical = physical;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close":
                    if (method.getParameterCount() == 0) {
                        returnOnce();
                        return null;
                    }
                    break;
                case "isClosed":
                    return isReturned() || physical.connection.isClosed();
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "pooled " + physical.connection;
                default:
                    break;
            }
            if (isReturned()) {
                throw new SQLNonTransientConnectionException("connection closed", "08003");
            }
            try {
                Object result = method.invoke(physical.connection, args);
                if (result instanceof Statement statement) {
                    track(statement);
                }
                return result;
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null
                        && sql.getSQLState().startsWith("08")) {
                    broken = true;
                }
                throw e.getCause();
            }
        }

        private synchronized boolean isReturned() {
            return returned;
        }

        private void returnOnce() {
            synchronized (this) {
                if (returned) {
                    return;
                }
                returned = true;
            }
            giveBack(this);
        }

        private void track(Statement statement) {
            if (statements.size() >= STATEMENTS_BEFORE_PRUNING) {
                statements.removeIf(ConnectionPool::isClosed);
            }
            statements.add(statement);
        }

        /** Puts the connection back as it was opened; false if it cannot be used again. */
        boolean reset() {
            Connection c = physical.connection;
            try {
                for (Statement s : statements) {
                    s.close();
                }
                statements.clear();
                if (broken || c.isClosed()) {
                    return false;
                }
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                if (c.getTransactionIsolation() != physical.isolation) {
                    c.setTransactionIsolation(physical.isolation);
                }
                if (c.getHoldability() != physical.holdability) {
                    c.setHoldability(physical.holdability);
                }
                if (c.isReadOnly() != physical.readOnly) {
                    c.setReadOnly(physical.readOnly);
                }
                if (!Objects.equals(c.getSchema(), physical.schema)) {
                    c.setSchema(physical.schema);
                }
                c.clearWarnings();
                return true;
            } catch (SQLException e) {
                LOG.debug("A returned connection could not be reset and is closed: {}", e.getMessage());
                return false;
            }
        }
    }

    private static boolean isClosed(Statement s) {
        try {
            return s.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
