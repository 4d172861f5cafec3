package org.posthorn.store;

import java.nio.file.Path;
import java.sql.SQLException;

import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.store.user.DerbyUserDirectory;

/** A real embedded Derby in a temporary directory with the store and the directory on it. */
public final class StoreFixture implements AutoCloseable {

    public final DerbyDatabase db;
    public final DerbyMailboxStore store;
    public final DerbyUserDirectory directory;

    public StoreFixture(Path dir) throws SQLException {
        this(dir, StoreSettings.DEFAULTS);
    }

    public StoreFixture(Path dir, StoreSettings settings) throws SQLException {
        db = new DerbyDatabase(dir.resolve("derby"), 4000);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);
        store = new DerbyMailboxStore(settings, db, migrator);
        directory = new DerbyUserDirectory(settings, db, migrator, new TestPasswordHasher());
    }

    /** Raw messages stored (copies share one). */
    public int contentRows() throws SQLException {
        try (var c = db.getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM store_content")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public void close() {
        store.close();
        db.close();
    }
}
