package org.posthorn.queue.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

import javax.sql.DataSource;

/** Small JDBC helpers: transactions, and nullable values as the index stores them. */
public final class Sql {

    /** Work done in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** The SQLState of a transaction Derby chose as the victim of a deadlock and rolled back. */
    private static final String DEADLOCK = "40001";
    private static final int DEADLOCK_TRIES = 3;

    private Sql() {
    }

    /**
     * {@link #transaction}, run again (3 tries in all) when Derby picks it as the victim of a
     * deadlock; {@code work} must be repeatable. For changes to rows of entries this caller holds
     * no lease on, where other writers may lock the same rows in another order.
     */
    public static <T> T transactionRetried(DataSource dataSource, Work<T> work) throws SQLException {
        for (int tries = 1; ; tries++) {
            try {
                return transaction(dataSource, work);
            } catch (SQLException e) {
                if (tries == DEADLOCK_TRIES || !DEADLOCK.equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    /** Runs {@code work} in one transaction: commits if it returns, rolls back if it throws. */
    public static <T> T transaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static void setString(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    static void setTime(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    static Instant time(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
