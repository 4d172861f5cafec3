package org.posthorn.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.StoreException;

/** SQL on accounts and mailboxes shared by the store and the directory. */
final class MailboxRows {

    /** Mailboxes every new account gets, all subscribed (RFC 6154 attributes). */
    static final List<Object[]> STANDARD = List.of(
            new Object[] {"INBOX", EnumSet.noneOf(SpecialUse.class)},
            new Object[] {"Sent", EnumSet.of(SpecialUse.SENT)},
            new Object[] {"Drafts", EnumSet.of(SpecialUse.DRAFTS)},
            new Object[] {"Trash", EnumSet.of(SpecialUse.TRASH)},
            new Object[] {"Junk", EnumSet.of(SpecialUse.JUNK)},
            new Object[] {"Archive", EnumSet.of(SpecialUse.ARCHIVE)});

    /** A mailbox row; {@code id} is also the UIDVALIDITY. */
    record Row(long id, int accountId, String name, Set<SpecialUse> specialUse, long uidNext, long highestModSeq,
               long firstRecent) { }

    private static final String COLUMNS =
            "m.id, m.account_id, m.name, m.special_use, m.uid_next, m.highest_modseq, m.first_recent_uid";

    private MailboxRows() {
    }

    static String canonicalAccount(String account) throws StoreException {
        if (account == null || account.isBlank()) {
            throw new StoreException(StoreException.Reason.NO_SUCH_ACCOUNT, "no account given");
        }
        return account.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The account's id. Read uncommitted: an id never changes, and this way the lookup neither
     * waits for nor blocks a transaction that is updating the account's usage.
     */
    static int accountId(Connection c, String account) throws SQLException, StoreException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM store_account WHERE name = ? WITH UR")) {
            ps.setString(1, canonicalAccount(account));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException(StoreException.Reason.NO_SUCH_ACCOUNT, "no account " + account);
                }
                return rs.getInt(1);
            }
        }
    }

    /**
     * The mailbox, without locking it; waits while a writer holds it. The account and the
     * mailbox are read in two statements on purpose: a join would keep a lock on the account
     * row while waiting for the mailbox row, and a writer holding the mailbox waits for the
     * account row (quota) — a deadlock.
     */
    static Row find(Connection c, String account, String mailbox) throws SQLException, StoreException {
        String name = MailboxNames.canonical(mailbox);
        int accountId = accountId(c, account);
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                + " FROM store_mailbox m WHERE m.account_id = ? AND m.name = ?")) {
            ps.setInt(1, accountId);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return row(rs);
                }
            }
        }
        throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, "no mailbox " + mailbox);
    }

    /** Re-reads a mailbox by id (after locking it). */
    static Row byId(Connection c, long id) throws SQLException, StoreException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM store_mailbox m WHERE m.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, "mailbox was deleted");
                }
                return row(rs);
            }
        }
    }

    /** True if a mailbox of that canonical name exists. */
    static boolean exists(Connection c, int accountId, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM store_mailbox WHERE account_id = ? AND name = ?")) {
            ps.setInt(1, accountId);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getLong(1), rs.getInt(2), rs.getString(3), specialUse(rs.getString(4)), rs.getLong(5),
                rs.getLong(6), rs.getLong(7));
    }

    static Set<SpecialUse> specialUse(String column) {
        Set<SpecialUse> set = EnumSet.noneOf(SpecialUse.class);
        if (column != null) {
            for (String s : column.split(",")) {
                if (!s.isBlank()) {
                    set.add(SpecialUse.valueOf(s.strip()));
                }
            }
        }
        return set;
    }

    static String specialUseColumn(Set<SpecialUse> set) {
        return set == null || set.isEmpty() ? null
                : set.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
    }

    /**
     * Locks the mailbox row (so this transaction orders after every earlier writer of the
     * mailbox), takes {@code uids} new UIDs and, if {@code bump}, the next MODSEQ.
     *
     * @return the row after the change: new UIDs are {@code uidNext - uids .. uidNext - 1}
     */
    static Row lock(Connection c, long mailboxId, int uids, boolean bump) throws SQLException, StoreException {
        return lock(c, mailboxId, uids, bump ? 1 : 0);
    }

    /** As {@link #lock(Connection, long, int, boolean)}, taking {@code modSeqs} MODSEQs (the last is the row's). */
    static Row lock(Connection c, long mailboxId, int uids, int modSeqs) throws SQLException, StoreException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE store_mailbox SET uid_next = uid_next + ?,"
                + " highest_modseq = highest_modseq + ? WHERE id = ?")) {
            ps.setInt(1, uids);
            ps.setInt(2, modSeqs);
            ps.setLong(3, mailboxId);
            if (ps.executeUpdate() == 0) {
                throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, "mailbox was deleted");
            }
        }
        return byId(c, mailboxId);
    }

    /** Locks the mailbox row until the transaction ends, changing nothing. */
    static void lockOnly(Connection c, long mailboxId) throws SQLException, StoreException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE store_mailbox SET uid_next = uid_next WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            if (ps.executeUpdate() == 0) {
                throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, "mailbox was deleted");
            }
        }
    }

    /** Inserts a mailbox row; returns its id. */
    static long insert(Connection c, int accountId, String name, Set<SpecialUse> specialUse, long uidNext)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO store_mailbox (account_id, name, special_use,"
                + " uid_next, first_recent_uid) VALUES (?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setInt(1, accountId);
            ps.setString(2, name);
            ps.setString(3, specialUseColumn(specialUse));
            ps.setLong(4, uidNext);
            ps.setLong(5, uidNext);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Creates the standard mailboxes of a new account and subscribes them. */
    @SuppressWarnings("unchecked")
    static void createStandard(Connection c, int accountId) throws SQLException {
        try (PreparedStatement sub = c.prepareStatement(
                "INSERT INTO store_subscription (account_id, name) VALUES (?, ?)")) {
            for (Object[] standard : STANDARD) {
                insert(c, accountId, (String) standard[0], (Set<SpecialUse>) standard[1], 1);
                sub.setInt(1, accountId);
                sub.setString(2, (String) standard[0]);
                sub.addBatch();
            }
            sub.executeBatch();
        }
    }

    /**
     * Deletes all mailboxes and messages of an account, leaving the raw messages to the purger.
     * Mailbox rows are locked first, as every writer does, then the account row.
     */
    static void deleteAll(Connection c, int accountId) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(
                "UPDATE store_mailbox SET highest_modseq = highest_modseq + 1 WHERE account_id = ?")) {
            lock.setInt(1, accountId);
            lock.executeUpdate();
        }
        String inAccount = " WHERE mailbox_id IN (SELECT id FROM store_mailbox WHERE account_id = ?)";
        for (String sql : List.of("INSERT INTO store_purge (content_id) SELECT content_id FROM store_message" + inAccount,
                "DELETE FROM store_message" + inAccount, "DELETE FROM store_expunged" + inAccount,
                "DELETE FROM store_mailbox WHERE account_id = ?", "DELETE FROM store_subscription WHERE account_id = ?")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, accountId);
                ps.executeUpdate();
            }
        }
    }
}
