package org.posthorn.filters;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

import javax.sql.DataSource;

import org.posthorn.api.mail.MailAddress;

/**
 * The greylisting state in the database: a triplet (client network, sender, recipient) seen for
 * the first time is refused for now; the same triplet retried after {@code delay} and within
 * {@code retryWindow} passes, and keeps passing while it is used at least every {@code expiry}.
 * Safe for concurrent use: each call is one short transaction of its own.
 */
final class Greylist {

    /** What {@link #check} decided; {@code delayed} is how long a first pass waited, zero after. */
    record Result(boolean passes, Duration delayed) {
        static final Result TRY_LATER = new Result(false, Duration.ZERO);
    }

    /** How long and how wide. */
    record Settings(Duration delay, Duration retryWindow, Duration expiry, int ipv4Bits, int ipv6Bits) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final Settings settings;

    Greylist(DataSource dataSource, Clock clock, Settings settings) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.settings = settings;
    }

    Result check(InetAddress client, MailAddress sender, MailAddress recipient) throws SQLException {
        String triplet = triplet(client, sender, recipient);
        long now = clock.millis();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT first_seen, last_seen, passed FROM greylist WHERE triplet = ?")) {
                select.setString(1, triplet);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        insert(c, triplet, now);
                        return Result.TRY_LATER;
                    }
                    long firstSeen = row.getLong(1);
                    long lastSeen = row.getLong(2);
                    boolean passed = row.getBoolean(3);
                    if (passed ? now - lastSeen > settings.expiry().toMillis()
                            : now - firstSeen > settings.retryWindow().toMillis()) {
                        update(c, triplet, now, now, false);
                        return Result.TRY_LATER;
                    }
                    if (passed) {
                        update(c, triplet, firstSeen, now, true);
                        return new Result(true, Duration.ZERO);
                    }
                    if (now - firstSeen < settings.delay().toMillis()) {
                        return Result.TRY_LATER;
                    }
                    update(c, triplet, firstSeen, now, true);
                    return new Result(true, Duration.ofMillis(now - firstSeen));
                }
            }
        }
    }

    /** Deletes triplets that never came back within the retry window and passed ones unused for longer than the expiry. */
    int purge() throws SQLException {
        long now = clock.millis();
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM greylist WHERE (passed = FALSE AND first_seen < ?)"
                     + " OR (passed = TRUE AND last_seen < ?)")) {
            c.setAutoCommit(true);
            delete.setLong(1, now - settings.retryWindow().toMillis());
            delete.setLong(2, now - settings.expiry().toMillis());
            return delete.executeUpdate();
        }
    }

    private static void insert(Connection c, String triplet, long now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO greylist (triplet, first_seen, last_seen, passed) VALUES (?, ?, ?, FALSE)")) {
            insert.setString(1, triplet);
            insert.setLong(2, now);
            insert.setLong(3, now);
            insert.executeUpdate();
        } catch (SQLException e) {
            // SQLState 23505: another connection inserted the same triplet just now; it is greylisted either way
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private static void update(Connection c, String triplet, long firstSeen, long lastSeen, boolean passed) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE greylist SET first_seen = ?, last_seen = ?, passed = ? WHERE triplet = ?")) {
            update.setLong(1, firstSeen);
            update.setLong(2, lastSeen);
            update.setBoolean(3, passed);
            update.setString(4, triplet);
            update.executeUpdate();
        }
    }

    /** SHA-256 of network, sender and recipient: the row key, with no address readable in the database. */
    String triplet(InetAddress client, MailAddress sender, MailAddress recipient) {
        int bits = client instanceof Inet4Address ? settings.ipv4Bits() : settings.ipv6Bits();
        String text = Network.of(client.getAddress(), bits) + "\n" + lower(sender) + "\n" + lower(recipient);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static String lower(MailAddress address) {
        return address == null ? "<>" : address.toString().toLowerCase(Locale.ROOT);
    }
}
