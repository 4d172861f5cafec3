package org.posthorn.db;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.posthorn.api.db.SchemaMigrator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies numbered SQL scripts once per owner, recorded in {@code posthorn_schema}. Pending
 * scripts of one call run in one transaction under an exclusive table lock, so concurrent
 * callers (two bundles, two nodes) serialise and never apply a script twice.
 */
@Component(service = SchemaMigrator.class)
public final class SqlSchemaMigrator implements SchemaMigrator {

    private static final Logger LOG = LoggerFactory.getLogger(SqlSchemaMigrator.class);
    /** SQLState of "table/view already exists" (Derby X0Y32, PostgreSQL 42P07). */
    private static final List<String> ALREADY_EXISTS = List.of("X0Y32", "42P07");

    private final DataSource dataSource;

    @Activate
    public SqlSchemaMigrator(@Reference DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public int migrate(String owner, ClassLoader loader, String folder) throws SQLException {
        List<String> scripts = loadScripts(loader, folder);
        try (Connection c = dataSource.getConnection()) {
            createSchemaTable(c);
            c.setAutoCommit(false);
            try {
                try (Statement lock = c.createStatement()) {
                    lock.execute("LOCK TABLE posthorn_schema IN EXCLUSIVE MODE");
                }
                int current = currentVersion(c, owner);
                for (int version = current + 1; version <= scripts.size(); version++) {
                    apply(c, owner, version, scripts.get(version - 1));
                }
                c.commit();
                if (scripts.size() > current) {
                    LOG.info("Schema {} migrated from version {} to {}", owner, current, scripts.size());
                }
                return Math.max(current, scripts.size());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void apply(Connection c, String owner, int version, String script) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements(script)) {
                try {
                    s.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException("schema " + owner + " script " + version + " failed at: " + sql
                            + ": " + e.getMessage(), e.getSQLState(), e);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO posthorn_schema (owner, version, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
            ps.setString(1, owner);
            ps.setInt(2, version);
            ps.executeUpdate();
        }
    }

    private static int currentVersion(Connection c, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM posthorn_schema WHERE owner = ?")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void createSchemaTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE posthorn_schema (owner VARCHAR(128) NOT NULL, version INT NOT NULL,"
                    + " applied_at TIMESTAMP NOT NULL, PRIMARY KEY (owner, version))");
        } catch (SQLException e) {
            if (!ALREADY_EXISTS.contains(e.getSQLState())) {
                throw e;
            }
        }
    }

    static List<String> loadScripts(ClassLoader loader, String folder) throws SQLException {
        List<String> scripts = new ArrayList<>();
        for (int version = 1; ; version++) {
            URL url = loader.getResource(folder + "/" + version + ".sql");
            if (url == null) {
                return scripts;
            }
            try (InputStream in = url.openStream()) {
                scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SQLException("cannot read migration script " + url + ": " + e.getMessage(), e);
            }
        }
    }

    /** Splits a script at {@code ;} ending a line; drops {@code --} comment lines and blank statements. */
    static List<String> statements(String script) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                addStatement(result, current);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        addStatement(result, current);
        return result;
    }

    private static void addStatement(List<String> result, StringBuilder current) {
        String sql = current.toString().strip();
        if (!sql.isEmpty()) {
            result.add(sql);
        }
        current.setLength(0);
    }
}
