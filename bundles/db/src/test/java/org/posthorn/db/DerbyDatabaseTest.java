package org.posthorn.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerbyDatabaseTest {

    @TempDir
    Path dataDir;

    private DerbyDatabase db;

    @AfterEach
    void shutDown() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void relativeDirectoryIsUnderTheDataDirectory() {
        assertThat(DerbyDatabase.resolve("/var/lib/posthorn", "derby")).isEqualTo(Path.of("/var/lib/posthorn/derby"));
        assertThat(DerbyDatabase.resolve(null, "derby")).isEqualTo(Path.of("data/derby"));
        assertThat(DerbyDatabase.resolve("/x", "/srv/db")).isEqualTo(Path.of("/srv/db"));
    }

    @Test
    void dataSurviveShutdownAndRestartAndNoLockIsLeft() throws Exception {
        Path dir = dataDir.resolve("derby");
        db = new DerbyDatabase(dir, 1000);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v VARCHAR(20))");
            s.execute("INSERT INTO t VALUES ('kept')");
        }
        assertThat(dir.resolve("db.lck")).exists();
        db.close();
        db = null;
        assertThat(dir.resolve("db.lck")).doesNotExist();

        db = new DerbyDatabase(dir, 1000);
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("kept");
        }
    }

    @Test
    void connectionsAfterCloseFail() throws Exception {
        db = new DerbyDatabase(dataDir.resolve("derby"), 1000);
        DerbyDatabase closed = db;
        db.close();
        db = null;
        assertThatThrownBy(closed::getConnection).isInstanceOf(SQLException.class);
    }

    @Test
    void migrationsApplyOnceInOrder() throws Exception {
        db = new DerbyDatabase(dataDir.resolve("derby"), 1000);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);
        ClassLoader loader = getClass().getClassLoader();

        assertThat(migrator.migrate("test.one", loader, "migrations/one")).isEqualTo(2);
        assertThat(migrator.migrate("test.one", loader, "migrations/one")).isEqualTo(2);

        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT text, lang FROM greeting")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("hello; world");
            assertThat(rs.getString(2)).isEqualTo("en");
            assertThat(rs.next()).as("the insert of script 2 ran once").isFalse();
        }
    }

    @Test
    void aFailingScriptLeavesTheSchemaAsItWas() throws Exception {
        db = new DerbyDatabase(dataDir.resolve("derby"), 1000);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);

        assertThatThrownBy(() -> migrator.migrate("test.broken", getClass().getClassLoader(), "migrations/broken"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("script 2");

        try (Connection c = db.getConnection()) {
            assertThat(c.getMetaData().getTables(null, null, "HALF", null).next())
                    .as("script 1 was rolled back with script 2").isFalse();
        }
        assertThat(migrator.migrate("test.other", getClass().getClassLoader(), "migrations/none")).isZero();
    }

    @Test
    void concurrentMigrationsApplyEachScriptOnce() throws Exception {
        db = new DerbyDatabase(dataDir.resolve("derby"), 1000);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);
        int threads = 6;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                // half the callers migrate one owner, half another: both serialise on the lock
                String owner = i % 2 == 0 ? "test.a" : "test.b";
                String folder = i % 2 == 0 ? "migrations/one" : "migrations/broken";
                Callable<Integer> task = () -> {
                    start.await();
                    try {
                        return migrator.migrate(owner, getClass().getClassLoader(), folder);
                    } catch (SQLException e) {
                        return -1;
                    }
                };
                results.add(pool.submit(task));
            }
            for (int i = 0; i < threads; i++) {
                assertThat(results.get(i).get()).isEqualTo(i % 2 == 0 ? 2 : -1);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT owner, COUNT(*) FROM posthorn_schema GROUP BY owner")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("test.a");
            assertThat(rs.getInt(2)).isEqualTo(2);
            assertThat(rs.next()).isFalse();
        }
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM greeting")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void configuredEngineSettingsFollowTheConfigurationButNeverOverrideTheAdmin() {
        String key = "posthorn.test.setting";
        try {
            DerbyDatabase.setUnlessGivenByAdmin(key, "4000");
            assertThat(System.getProperty(key)).isEqualTo("4000");
            DerbyDatabase.setUnlessGivenByAdmin(key, "5000");
            assertThat(System.getProperty(key)).as("a changed configuration applies").isEqualTo("5000");

            System.setProperty(key, "7000");
            DerbyDatabase.setUnlessGivenByAdmin(key, "6000");
            assertThat(System.getProperty(key)).as("the admin's -D wins").isEqualTo("7000");
        } finally {
            System.clearProperty(key);
            System.clearProperty("posthorn.db.configured." + key);
        }
    }

    @Test
    void scriptsSplitAtSemicolonsEndingALine() {
        assertThat(SqlSchemaMigrator.statements("-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a\n VALUES (1);\nSELECT ';' FROM a"))
                .containsExactly("CREATE TABLE a (x INT)", "INSERT INTO a\nVALUES (1)", "SELECT ';' FROM a");
        assertThat(Files.exists(dataDir)).isTrue();
    }
}
