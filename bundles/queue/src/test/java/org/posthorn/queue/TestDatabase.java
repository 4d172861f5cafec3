package org.posthorn.queue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;

/** A real embedded Derby in a test's folder, with the queue's schema migrated as the bundle does it. */
public final class TestDatabase implements AutoCloseable {

    private final DerbyDatabase database;

    private TestDatabase(DerbyDatabase database) {
        this.database = database;
    }

    public static TestDatabase open(Path folder) throws SQLException {
        DerbyDatabase database = new DerbyDatabase(folder.resolve("derby"), 1000);
        new SqlSchemaMigrator(database).migrate("org.posthorn.queue", TestDatabase.class.getClassLoader(), "db/queue");
        return new TestDatabase(database);
    }

    /** Empties the queue's tables, so one database can serve several tests. */
    public void clear() throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM queue_recipient");
            s.executeUpdate("DELETE FROM queue_message");
        }
    }

    public DerbyDatabase dataSource() {
        return database;
    }

    @Override
    public void close() {
        database.close();
    }
}
