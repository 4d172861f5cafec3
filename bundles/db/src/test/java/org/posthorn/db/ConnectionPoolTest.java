package org.posthorn.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection pool behind {@link DerbyDatabase#getConnection()}, on a real embedded Derby. */
class ConnectionPoolTest {

    @TempDir
    Path dataDir;

    private DerbyDatabase db;

    @AfterEach
    void shutDown() {
        if (db != null) {
            db.close();
        }
    }

    private void open(int maxSize, int maxIdle, Duration maxWait) throws SQLException {
        db = new DerbyDatabase(dataDir.resolve("derby"), 1000, 32768, new ConnectionPool.Limits(maxSize, maxIdle, maxWait));
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v VARCHAR(20))");
        }
    }

    /** The Derby connection behind a pooled one. */
    private static Connection physical(Connection pooled) throws SQLException {
        return pooled.unwrap(Connection.class);
    }

    private int rows() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aClosedConnectionIsHandedOutAgain() throws Exception {
        open(4, 4, Duration.ofSeconds(30));
        Connection first = db.getConnection();
        Connection derby = physical(first);
        first.close();

        try (Connection second = db.getConnection()) {
            assertThat(physical(second)).isSameAs(derby);
            assertThat(second).isNotSameAs(first);
        }
        assertThat(first.isClosed()).isTrue();
        assertThatThrownBy(first::createStatement).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
        first.close();
    }

    @Test
    void uncommittedWorkIsRolledBackAndStateRestoredOnReturn() throws Exception {
        open(1, 1, Duration.ofSeconds(30));
        Connection c = db.getConnection();
        int isolation = c.getTransactionIsolation();
        int holdability = c.getHoldability();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT);
        c.setSchema("SYS");
        Statement insert = c.createStatement();
        insert.executeUpdate("INSERT INTO APP.t VALUES ('lost')");
        ResultSet open = c.createStatement().executeQuery("SELECT v FROM APP.t");
        Connection derby = physical(c);
        c.close();

        assertThat(insert.isClosed()).as("statements opened through it are closed").isTrue();
        assertThat(open.isClosed()).isTrue();
        try (Connection again = db.getConnection()) {
            assertThat(physical(again)).as("the only connection of a pool of one").isSameAs(derby);
            assertThat(again.getAutoCommit()).isTrue();
            assertThat(again.getTransactionIsolation()).isEqualTo(isolation);
            assertThat(again.getHoldability()).isEqualTo(holdability);
            assertThat(again.isReadOnly()).isFalse();
            assertThat(again.getSchema()).isEqualTo("APP");
        }
        assertThat(rows()).as("the insert was never committed").isZero();

        try (Connection readOnly = db.getConnection()) {
            readOnly.setReadOnly(true);
        }
        try (Connection again = db.getConnection(); Statement s = again.createStatement()) {
            assertThat(again.isReadOnly()).isFalse();
            s.executeUpdate("INSERT INTO t VALUES ('kept')");
        }
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void aBrokenConnectionIsNotHandedOutAgain() throws Exception {
        open(4, 4, Duration.ofSeconds(30));
        Connection lent = db.getConnection();
        Connection broken = physical(lent);
        broken.close();
        lent.close();
        try (Connection next = db.getConnection()) {
            assertThat(physical(next)).isNotSameAs(broken);
            assertThat(next.isValid(1)).isTrue();
        }

        Connection idleLater = db.getConnection();
        Connection derby = physical(idleLater);
        idleLater.close();
        derby.close(); // broken while idle in the pool
        try (Connection next = db.getConnection()) {
            assertThat(physical(next)).isNotSameAs(derby);
            assertThat(rows()).isZero();
        }
    }

    @Test
    void noMoreThanMaxSizeAreLentAndAWaitingCallerGetsTheNextReturned() throws Exception {
        open(2, 2, Duration.ZERO);
        Connection a = db.getConnection();
        Connection b = db.getConnection();
        assertThatThrownBy(db::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("all 2 database connections are in use");
        a.close();
        db.getConnection().close();
        b.close();
        db.close();

        db = null;
        db = new DerbyDatabase(dataDir.resolve("derby"), 1000, 32768,
                new ConnectionPool.Limits(1, 1, Duration.ofMinutes(5)));
        Connection only = db.getConnection();
        CompletableFuture<Connection> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return db.getConnection();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Connection derby = physical(only);
        only.close();
        try (Connection next = waiting.get(2, TimeUnit.MINUTES)) {
            assertThat(physical(next)).isSameAs(derby);
        }
    }

    @Test
    void connectionsBeyondMaxIdleAreClosedWhenReturned() throws Exception {
        open(3, 1, Duration.ofSeconds(30));
        Connection a = db.getConnection();
        Connection b = db.getConnection();
        Connection kept = physical(a);
        Connection surplus = physical(b);
        a.close();
        b.close();
        assertThat(kept.isClosed()).isFalse();
        assertThat(surplus.isClosed()).isTrue();
    }

    @Test
    void shutdownClosesConnectionsStillLentAndRollsTheirWorkBack() throws Exception {
        Path dir = dataDir.resolve("derby");
        open(4, 4, Duration.ofSeconds(30));
        Connection idle = db.getConnection();
        Connection idleDerby = physical(idle);
        idle.close();
        Connection lent = db.getConnection();
        lent.setAutoCommit(false);
        try (Statement s = lent.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES ('lost')");
        }

        db.close();
        db = null;
        assertThat(dir.resolve("db.lck")).doesNotExist();
        assertThat(idleDerby.isClosed()).isTrue();
        assertThat(lent.isClosed()).isTrue();
        assertThatThrownBy(lent::createStatement).isInstanceOf(SQLException.class);
        lent.close();

        db = new DerbyDatabase(dir, 1000);
        assertThat(rows()).isZero();
    }
}
