package org.posthorn.sieve.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.posthorn.api.db.SchemaMigrator;

/**
 * The accounts' Sieve scripts and the vacation response log, in the database. Thread-safe; every
 * method is one short transaction. A component of this bundle only (its package is private): it
 * migrates the schema once, and the filter and the ManageSieve server share it.
 */
@Component(service = ScriptStore.class)
public final class ScriptStore {

    /** A stored script's name and whether it is the account's active one. */
    public record ScriptInfo(String name, boolean active) {
    }

    /** What a delete or rename did. */
    public enum Change { DONE, NO_SUCH_SCRIPT, ACTIVE, ALREADY_EXISTS }

    /** The owner name of this bundle's schema in {@code SchemaMigrator}, and the folder of its scripts. */
    public static final String SCHEMA_OWNER = "org.posthorn.sieve";
    public static final String SCHEMA_FOLDER = "db/sieve";

    private final DataSource dataSource;

    /** A store on a database whose schema is migrated already. */
    public ScriptStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Activate
    public ScriptStore(@Reference(target = "(dataSourceName=posthorn)") DataSource dataSource,
                       @Reference SchemaMigrator migrator) throws SQLException {
        this(dataSource);
        migrator.migrate(SCHEMA_OWNER, getClass().getClassLoader(), SCHEMA_FOLDER);
        purgeVacationLog(Instant.now());
    }

    public List<ScriptInfo> list(String account) throws SQLException {
        List<ScriptInfo> scripts = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT name, active FROM sieve_script WHERE account = ? ORDER BY name")) {
            ps.setString(1, key(account));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    scripts.add(new ScriptInfo(rs.getString(1), rs.getBoolean(2)));
                }
            }
        }
        return scripts;
    }

    public Optional<String> get(String account, String name) throws SQLException {
        return content("SELECT content FROM sieve_script WHERE account = ? AND name = ?", account, name);
    }

    /** The account's active script, if it has one. */
    public Optional<String> active(String account) throws SQLException {
        return content("SELECT content FROM sieve_script WHERE account = ? AND active = TRUE", account, null);
    }

    /** Stores a script under {@code name}, replacing one of that name (which stays active if it was). */
    public void put(String account, String name, String content) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sieve_script SET content = ? WHERE account = ? AND name = ?")) {
                ps.setString(1, content);
                ps.setString(2, key(account));
                ps.setString(3, name);
                if (ps.executeUpdate() > 0) {
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sieve_script (account, name, content) VALUES (?, ?, ?)")) {
                ps.setString(1, key(account));
                ps.setString(2, name);
                ps.setString(3, content);
                ps.executeUpdate();
            }
        }
    }

    /** Makes {@code name} the active script; the empty name deactivates all. False if there is no such script. */
    public boolean setActive(String account, String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement off = c.prepareStatement(
                    "UPDATE sieve_script SET active = FALSE WHERE account = ? AND active = TRUE");
                 PreparedStatement on = c.prepareStatement(
                         "UPDATE sieve_script SET active = TRUE WHERE account = ? AND name = ?")) {
                off.setString(1, key(account));
                off.executeUpdate();
                on.setString(1, key(account));
                on.setString(2, name);
                boolean found = name.isEmpty() || on.executeUpdate() > 0;
                if (found) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return found;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Deletes a script; RFC 5804 §2.10: the active script cannot be deleted. */
    public Change delete(String account, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM sieve_script WHERE account = ? AND name = ? AND active = FALSE")) {
            ps.setString(1, key(account));
            ps.setString(2, name);
            if (ps.executeUpdate() > 0) {
                return Change.DONE;
            }
        }
        return get(account, name).isPresent() ? Change.ACTIVE : Change.NO_SUCH_SCRIPT;
    }

    /** Renames a script (an active one stays active). */
    public Change rename(String account, String from, String to) throws SQLException {
        if (get(account, to).isPresent()) {
            return Change.ALREADY_EXISTS;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE sieve_script SET name = ? WHERE account = ? AND name = ?")) {
            ps.setString(1, to);
            ps.setString(2, key(account));
            ps.setString(3, from);
            return ps.executeUpdate() > 0 ? Change.DONE : Change.NO_SUCH_SCRIPT;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return Change.ALREADY_EXISTS; // renamed to the same name concurrently
            }
            throw e;
        }
    }

    /**
     * Records a vacation response to {@code sender} unless one with the same handle was sent
     * within the last {@code days} (RFC 5230 §4.2). True if the response is due now.
     */
    public boolean claimVacationReply(String account, String sender, String handle, Duration quiet, Instant now)
            throws SQLException {
        String replyKey = sha256(sender.toLowerCase(Locale.ROOT) + "\u0000" + handle);
        long until = now.plus(quiet).toEpochMilli();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sieve_vacation SET quiet_until = ?"
                    + " WHERE account = ? AND reply_key = ? AND quiet_until <= ?")) {
                ps.setLong(1, until);
                ps.setString(2, key(account));
                ps.setString(3, replyKey);
                ps.setLong(4, now.toEpochMilli());
                if (ps.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sieve_vacation (account, reply_key, quiet_until) VALUES (?, ?, ?)")) {
                ps.setString(1, key(account));
                ps.setString(2, replyKey);
                ps.setLong(3, until);
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    return false; // answered within the period (or by another node just now)
                }
                throw e;
            }
        }
    }

    /** Forgets vacation records whose quiet period ended before {@code now}. */
    public int purgeVacationLog(Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM sieve_vacation WHERE quiet_until < ?")) {
            ps.setLong(1, now.toEpochMilli());
            return ps.executeUpdate();
        }
    }

    private Optional<String> content(String sql, String account, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key(account));
            if (name != null) {
                ps.setString(2, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Account names are compared case-insensitively, as the directory's canonical names are lower case. */
    private static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
