package org.posthorn.queue.index;

import static org.posthorn.queue.index.Sql.integer;
import static org.posthorn.queue.index.Sql.setString;
import static org.posthorn.queue.index.Sql.setTime;
import static org.posthorn.queue.index.Sql.time;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.QueueQuery;
import org.posthorn.api.queue.RecipientState;

/**
 * The queue's tables in the database: one row per entry ({@code queue_message}) with its
 * envelope, schedule and lease, and one row per recipient ({@code queue_recipient}) with its
 * delivery state. The spool files hold the message bytes.
 *
 * <p>An entry is claimed by setting its lease only where no unexpired lease exists, and the
 * update's row count says who won, so dispatchers on several nodes (or a restarted bundle)
 * never work on one entry at once. Thread-safe; each call uses its own connection unless it
 * takes one.
 */
public final class QueueIndex {

    /** The most recipient rows one entry may grow to through alias expansion and forwards. */
    public static final int MAX_RECIPIENT_ROWS = 10_000;

    private static final String MESSAGE_COLUMNS = "id, sender, ret, envid, body_type, smtputf8, helo, client_address,"
            + " client_host, protocol, auth_user, tls, listener, received_at, message_size, body_offset, arrival,"
            + " next_attempt, held, hold_reason, filtered, edited_header, edited_length, lease_owner, lease_until";
    private static final String NOT_LEASED = "(lease_until IS NULL OR lease_until < ?)";

    private final DataSource dataSource;

    public QueueIndex(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Inserts a new entry and its envelope recipients, all pending and due at arrival. */
    public void insert(Connection c, NewEntry entry) throws SQLException {
        Envelope e = entry.envelope();
        Origin o = e.origin();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_message (id, sender, ret, envid, body_type,"
                + " smtputf8, helo, client_address, client_host, protocol, auth_user, tls, listener, received_at,"
                + " message_size, body_offset, arrival, next_attempt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, entry.id());
            setString(ps, 2, e.sender() == null ? null : e.sender().toString());
            setString(ps, 3, e.ret() == null ? null : e.ret().name());
            setString(ps, 4, e.envelopeId());
            ps.setString(5, e.bodyType().name());
            ps.setBoolean(6, e.smtpUtf8());
            // The origin is informational: over-long values from a client are cut, not refused.
            setString(ps, 7, truncate(o.heloName(), 1024));
            ps.setString(8, truncate(o.clientAddress(), 64));
            setString(ps, 9, truncate(o.clientHost(), 1024));
            ps.setString(10, truncate(o.protocol(), 32));
            setString(ps, 11, truncate(o.authenticatedUser(), 1024));
            setString(ps, 12, truncate(o.tls(), 256));
            setString(ps, 13, truncate(o.listener(), 64));
            setTime(ps, 14, o.receivedAt());
            ps.setLong(15, entry.size());
            ps.setLong(16, entry.bodyOffset());
            setTime(ps, 17, entry.arrival());
            setTime(ps, 18, entry.arrival());
            ps.executeUpdate();
        }
        List<RecipientRecord> rows = new ArrayList<>();
        for (Recipient r : e.recipients()) {
            rows.add(new RecipientRecord(rows.size(), null, 0, r, null, null, entry.arrival()));
        }
        insertRecipients(c, entry.id(), rows);
    }

    /** The ids of all entries. */
    public Set<String> ids() throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id FROM queue_message");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Up to {@code limit} entries due at {@code now} and not leased, most overdue first. */
    public List<String> due(Instant now, int limit) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM queue_message WHERE next_attempt <= ? AND held = FALSE AND " + NOT_LEASED
                        + " ORDER BY next_attempt")) {
            ps.setMaxRows(limit);
            setTime(ps, 1, now);
            setTime(ps, 2, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * Takes the entry's lease for {@code owner} until {@code until}, if nobody holds an unexpired
     * one and it is not held.
     *
     * @return true if this call won the lease
     */
    public boolean claim(String id, String owner, Instant now, Instant until) throws SQLException {
        return lease(id, owner, now, until, "held = FALSE AND ");
    }

    /**
     * Takes the entry's lease for an administrative change, held or not, if no dispatcher holds
     * an unexpired lease on it.
     */
    public boolean lockForAdmin(String id, String owner, Instant now, Instant until) throws SQLException {
        return lease(id, owner, now, until, "");
    }

    private boolean lease(String id, String owner, Instant now, Instant until, String condition) throws SQLException {
        return update("UPDATE queue_message SET lease_owner = ?, lease_until = ? WHERE id = ? AND " + condition
                + NOT_LEASED, ps -> {
                    ps.setString(1, owner);
                    setTime(ps, 2, until);
                    ps.setString(3, id);
                    setTime(ps, 4, now);
                }) == 1;
    }

    /** Ends an administrative lease: the entry is released from hold and due now. */
    public void releaseAdminLock(String id, String owner, Instant now) throws SQLException {
        update("UPDATE queue_message SET lease_owner = NULL, lease_until = NULL, held = FALSE, hold_reason = NULL,"
                + " next_attempt = ? WHERE id = ? AND lease_owner = ?", ps -> {
                    setTime(ps, 1, now);
                    ps.setString(2, id);
                    ps.setString(3, owner);
                });
    }

    /** Extends a lease this owner holds; false if it lost it (expired and taken, or the entry is gone). */
    public boolean renew(String id, String owner, Instant until) throws SQLException {
        return update("UPDATE queue_message SET lease_until = ? WHERE id = ? AND lease_owner = ?",
                ps -> {
                    setTime(ps, 1, until);
                    ps.setString(2, id);
                    ps.setString(3, owner);
                }) == 1;
    }

    /**
     * Gives the lease back and sets when the entry is next due: {@code nextAttempt}, or earlier if
     * a recipient row is due earlier (someone made it due while the lease was held).
     */
    public void release(String id, String owner, Instant nextAttempt) throws SQLException {
        String earliestOpen = "(SELECT MIN(r.next_attempt) FROM queue_recipient r WHERE r.message_id = ?"
                + " AND r.state IN ('PENDING', 'DEFERRED'))";
        update("UPDATE queue_message SET lease_owner = NULL, lease_until = NULL, next_attempt ="
                + " CASE WHEN " + earliestOpen + " < ? THEN " + earliestOpen + " ELSE ? END"
                + " WHERE id = ? AND lease_owner = ?", ps -> {
                    ps.setString(1, id);
                    setTime(ps, 2, nextAttempt);
                    ps.setString(3, id);
                    setTime(ps, 4, nextAttempt);
                    ps.setString(5, id);
                    ps.setString(6, owner);
                });
    }

    /**
     * Gives the lease back and makes the entry due at {@code nextAttempt} whatever its rows say:
     * the back-off after an attempt that failed as a whole.
     */
    public void postpone(String id, String owner, Instant nextAttempt) throws SQLException {
        update("UPDATE queue_message SET lease_owner = NULL, lease_until = NULL, next_attempt = ?"
                + " WHERE id = ? AND lease_owner = ?", ps -> {
                    setTime(ps, 1, nextAttempt);
                    ps.setString(2, id);
                    ps.setString(3, owner);
                });
    }

    /** Gives back every lease of {@code owner} (a dispatcher stopping cleanly). */
    public int releaseAll(String owner) throws SQLException {
        return update("UPDATE queue_message SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
                ps -> ps.setString(1, owner));
    }

    public Optional<EntryRecord> load(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return load(c, id);
        }
    }

    private Optional<EntryRecord> load(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM queue_message WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<RecipientRecord> rows = recipients(c, id);
                // Every entry has recipient rows; none means it was removed between the two reads.
                return rows.isEmpty() ? Optional.empty() : Optional.of(entry(rs, rows));
            }
        }
    }

    /**
     * Saves what the filter chain decided: the edited header (or null) replacing the first
     * {@code editedLength} bytes of the spool file, and the recipient rows that replace all others.
     */
    public void saveFiltered(String id, byte[] editedHeader, long editedLength, List<RecipientRecord> recipients)
            throws SQLException {
        Sql.transaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue_recipient WHERE message_id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            insertRecipients(c, id, recipients);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE queue_message SET filtered = TRUE, edited_header = ?, edited_length = ? WHERE id = ?")) {
                if (editedHeader == null) {
                    ps.setNull(1, Types.BLOB);
                } else {
                    ps.setBytes(1, editedHeader);
                }
                ps.setLong(2, editedHeader == null ? 0 : editedLength);
                ps.setString(3, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Records that the filter chain ran and changed nothing. */
    public void markFiltered(String id) throws SQLException {
        update("UPDATE queue_message SET filtered = TRUE WHERE id = ?", ps -> ps.setString(1, id));
    }

    /** Saves an expanded recipient together with the rows it expanded into. */
    public void saveExpansion(String id, RecipientRecord expanded, List<RecipientRecord> children) throws SQLException {
        Sql.transaction(dataSource, c -> {
            update(c, id, expanded);
            insertRecipients(c, id, children);
            return null;
        });
    }

    /** Saves one recipient row's state. */
    public void update(String id, RecipientRecord r) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            update(c, id, r);
        }
    }

    public void update(Connection c, String id, RecipientRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipient SET mailbox = ?, state = ?, attempts = ?,"
                + " next_attempt = ?, last_attempt = ?, reply_code = ?, status_code = ?, last_error = ?, error_kind = ?,"
                + " remote_mta = ?, via_remote = ?, notify_pending = ?, delay_reported = ?"
                + " WHERE message_id = ? AND rcpt_no = ?")) {
            DeliveryResult result = r.result();
            setString(ps, 1, r.mailbox());
            ps.setString(2, r.state().name());
            ps.setInt(3, r.attempts());
            setTime(ps, 4, r.nextAttempt());
            setTime(ps, 5, r.lastAttempt());
            ps.setInt(6, result == null ? 0 : result.replyCode());
            setString(ps, 7, result == null ? null : result.statusCode());
            setString(ps, 8, result == null ? null : truncate(result.text(), 2000));
            setString(ps, 9, r.errorKind() == null ? null : r.errorKind().name());
            setString(ps, 10, result == null ? null : truncate(result.remoteHost(), 1024));
            ps.setBoolean(11, r.viaRemote());
            ps.setBoolean(12, r.notifyPending());
            ps.setBoolean(13, r.delayReported());
            ps.setString(14, id);
            ps.setInt(15, r.number());
            ps.executeUpdate();
        }
    }

    /**
     * Removes an entry and its recipient rows; run it in a transaction. The recipient rows are
     * deleted by key rather than by ON DELETE CASCADE, which makes Derby lock the whole recipient
     * table and, under load, deadlock with a statement being compiled.
     */
    public boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement recipients = c.prepareStatement("DELETE FROM queue_recipient WHERE message_id = ?");
             PreparedStatement message = c.prepareStatement("DELETE FROM queue_message WHERE id = ?")) {
            recipients.setString(1, id);
            recipients.executeUpdate();
            message.setString(1, id);
            return message.executeUpdate() == 1;
        }
    }

    /**
     * Holds an entry unless a dispatcher holds its lease: the claim checks the same row, so once
     * this returned true no attempt starts until the entry is released. False if there is no such
     * entry or it is being delivered (an attempt in progress could not be stopped in time).
     */
    public boolean holdUnlessLeased(String id, String reason, Instant now) throws SQLException {
        return update("UPDATE queue_message SET held = TRUE, hold_reason = ? WHERE id = ? AND " + NOT_LEASED, ps -> {
            setString(ps, 1, truncate(reason, 1024));
            ps.setString(2, id);
            setTime(ps, 3, now);
        }) == 1;
    }

    /** Holds an entry whatever its lease: for the queue itself, after an error it cannot fix alone. */
    public boolean hold(String id, String reason) throws SQLException {
        return update("UPDATE queue_message SET held = TRUE, hold_reason = ? WHERE id = ?", ps -> {
            setString(ps, 1, truncate(reason, 1024));
            ps.setString(2, id);
        }) == 1;
    }

    public boolean release(String id, Instant now) throws SQLException {
        return update("UPDATE queue_message SET held = FALSE, hold_reason = NULL WHERE id = ? AND held = TRUE AND "
                + NOT_LEASED, ps -> {
                    ps.setString(1, id);
                    setTime(ps, 2, now);
                }) == 1;
    }

    /** Makes every open recipient of the entry due now, unless a dispatcher holds it. */
    public boolean retryNow(String id, Instant now) throws SQLException {
        return Sql.transactionRetried(dataSource, c -> {
            List<String> unleased = unleased(c, "id = ? AND ", id, now);
            if (unleased.isEmpty()) {
                return false;
            }
            if (makeDue(c, unleased, false, now) == 1) {
                return true;
            }
            c.rollback(); // leased meanwhile: its dispatcher decides
            return false;
        });
    }

    /**
     * Makes due now every open recipient waiting because Posthorn itself was unavailable (store,
     * directory, remote delivery), and their entries; returns the number of entries made due.
     */
    public int retryUnavailable(Instant now) throws SQLException {
        // recipients before their entries, in the order delete() locks them: the other order
        // deadlocked with dispatchers removing delivered entries (seen in itests/HotSwapIT)
        return Sql.transactionRetried(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipient SET next_attempt = ?"
                    + " WHERE state = 'DEFERRED' AND error_kind = 'UNAVAILABLE' AND next_attempt > ?")) {
                setTime(ps, 1, now);
                setTime(ps, 2, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET next_attempt = ?"
                    + " WHERE next_attempt > ? AND id IN (SELECT message_id FROM queue_recipient"
                    + " WHERE state = 'DEFERRED' AND error_kind = 'UNAVAILABLE')")) {
                setTime(ps, 1, now);
                setTime(ps, 2, now);
                return ps.executeUpdate();
            }
        });
    }

    /** {@link #retryNow} for every entry not leased; returns how many entries were made due. */
    public int retryAll(Instant now) throws SQLException {
        return Sql.transactionRetried(dataSource, c -> makeDue(c, unleased(c, "", null, now), true, now));
    }

    /** The ids of the entries matching {@code condition} (with {@code id} bound, if given) that nobody leases. */
    private static List<String> unleased(Connection c, String condition, String id, Instant now) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM queue_message WHERE " + condition + NOT_LEASED)) {
            int next = 1;
            if (id != null) {
                ps.setString(next++, id);
            }
            setTime(ps, next, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * Makes the open recipients of these entries due now, then the entries still not leased (only
     * those due later, if {@code onlyLater}); returns how many entries were made due. Rows are
     * locked by key, recipients before their entry as delete() locks them: one statement joining
     * the two tables locked entry rows first and deadlocked with a dispatcher removing a delivered
     * entry. An entry leased since it was read keeps the recipients made due, which its
     * dispatcher's release() honours.
     */
    private static int makeDue(Connection c, List<String> ids, boolean onlyLater, Instant now) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipient SET next_attempt = ?"
                + " WHERE message_id = ? AND state IN ('PENDING', 'DEFERRED') AND next_attempt > ?")) {
            for (String id : ids) {
                setTime(ps, 1, now);
                ps.setString(2, id);
                setTime(ps, 3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        int entries = 0;
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET next_attempt = ?"
                + " WHERE id = ? AND " + NOT_LEASED + (onlyLater ? " AND next_attempt > ?" : ""))) {
            for (String id : ids) {
                setTime(ps, 1, now);
                ps.setString(2, id);
                setTime(ps, 3, now);
                if (onlyLater) {
                    setTime(ps, 4, now);
                }
                ps.addBatch();
            }
            for (int count : ps.executeBatch()) {
                entries += count;
            }
        }
        return entries;
    }

    /** Entries matching {@code query} at {@code now}, oldest first. */
    public List<EntryRecord> list(QueueQuery query, Instant now) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + MESSAGE_COLUMNS + " FROM queue_message WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.sender() != null) {
            if (query.sender().equals("<>")) {
                sql.append(" AND sender IS NULL");
            } else {
                sql.append(" AND LOWER(sender) LIKE ? ESCAPE '\\'");
                args.add(like(query.sender()));
            }
        }
        if (query.recipient() != null) {
            sql.append(" AND id IN (SELECT message_id FROM queue_recipient WHERE LOWER(address) LIKE ? ESCAPE '\\')");
            args.add(like(query.recipient()));
        }
        if (query.state() != null) {
            sql.append(" AND ").append(stateCondition(query.state()));
            args.addAll(stateArguments(query.state(), now));
        }
        sql.append(" ORDER BY arrival, id");
        List<EntryRecord> entries = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setMaxRows(query.limit());
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString("id"));
                }
            }
            for (String id : ids) {
                load(c, id).ifPresent(entries::add);
            }
        }
        return entries;
    }

    /** The number of entries in each state at {@code now}. */
    public Map<EntryState, Long> counts(Instant now) throws SQLException {
        Map<EntryState, Long> counts = new EnumMap<>(EntryState.class);
        try (Connection c = dataSource.getConnection()) {
            for (EntryState state : EntryState.values()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*) FROM queue_message WHERE " + stateCondition(state))) {
                    List<Object> args = stateArguments(state, now);
                    for (int i = 0; i < args.size(); i++) {
                        ps.setObject(i + 1, args.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        counts.put(state, rs.getLong(1));
                    }
                }
            }
        }
        return counts;
    }

    private static String stateCondition(EntryState state) {
        return switch (state) {
            case HELD -> "held = TRUE";
            case DELIVERING -> "held = FALSE AND lease_until >= ?";
            case QUEUED -> "held = FALSE AND " + NOT_LEASED + " AND next_attempt <= ?";
            case DEFERRED -> "held = FALSE AND " + NOT_LEASED + " AND next_attempt > ?";
        };
    }

    private static List<Object> stateArguments(EntryState state, Instant now) {
        long millis = now.toEpochMilli();
        return switch (state) {
            case HELD -> List.of();
            case DELIVERING -> List.of(millis);
            case QUEUED, DEFERRED -> List.of(millis, millis);
        };
    }

    private static String like(String text) {
        return "%" + text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** Inserts recipient rows. */
    public void insertRecipients(Connection c, String id, List<RecipientRecord> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_recipient (message_id, rcpt_no, parent_no,"
                + " hops, address, account, mailbox, notify, orcpt, state, next_attempt, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (RecipientRecord r : rows) {
                ps.setString(1, id);
                ps.setInt(2, r.number());
                if (r.parent() == null) {
                    ps.setNull(3, Types.INTEGER);
                } else {
                    ps.setInt(3, r.parent());
                }
                ps.setInt(4, r.hops());
                ps.setString(5, r.recipient().address().toString());
                setString(ps, 6, r.account());
                setString(ps, 7, r.mailbox());
                ps.setString(8, r.recipient().notifyOn().stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
                setString(ps, 9, r.recipient().originalRecipient());
                ps.setString(10, r.state().name());
                setTime(ps, 11, r.nextAttempt());
                setString(ps, 12, r.flags().isEmpty() ? null : String.join(" ", new TreeSet<>(r.flags())));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static List<RecipientRecord> recipients(Connection c, String id) throws SQLException {
        List<RecipientRecord> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM queue_recipient WHERE message_id = ? ORDER BY rcpt_no")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Recipient recipient = new Recipient(MailAddress.parse(rs.getString("address")),
                            notify(rs.getString("notify")), rs.getString("orcpt"));
                    String statusCode = rs.getString("status_code");
                    DeliveryResult result = statusCode == null && rs.getString("last_error") == null ? null
                            : new DeliveryResult(rs.getInt("reply_code"), statusCode, rs.getString("last_error"),
                                    rs.getString("remote_mta"));
                    String kind = rs.getString("error_kind");
                    rows.add(new RecipientRecord(rs.getInt("rcpt_no"), integer(rs, "parent_no"), rs.getInt("hops"),
                            recipient, rs.getString("account"), rs.getString("mailbox"),
                            RecipientState.valueOf(rs.getString("state")), rs.getInt("attempts"),
                            time(rs, "next_attempt"), time(rs, "last_attempt"), result,
                            kind == null ? null : ErrorKind.valueOf(kind), rs.getBoolean("via_remote"),
                            rs.getBoolean("notify_pending"), rs.getBoolean("delay_reported"))
                            .withFlags(flags(rs.getString("flags"))));
                }
            }
        }
        return rows;
    }

    private static Set<String> flags(String text) {
        return text == null || text.isBlank() ? Set.of() : Set.of(text.split(" "));
    }

    private static Set<DsnNotify> notify(String text) {
        Set<DsnNotify> notify = EnumSet.noneOf(DsnNotify.class);
        if (!text.isEmpty()) {
            for (String value : text.split(",")) {
                notify.add(DsnNotify.valueOf(value));
            }
        }
        return notify;
    }

    private static EntryRecord entry(ResultSet rs, List<RecipientRecord> rows) throws SQLException {
        String sender = rs.getString("sender");
        String ret = rs.getString("ret");
        Origin origin = new Origin(rs.getString("helo"), rs.getString("client_address"), rs.getString("client_host"),
                rs.getString("protocol"), rs.getString("auth_user"), rs.getString("tls"), rs.getString("listener"),
                time(rs, "received_at"));
        List<Recipient> envelopeRecipients = rows.stream().filter(r -> r.parent() == null)
                .map(RecipientRecord::recipient).toList();
        Envelope envelope = new Envelope(sender == null ? null : MailAddress.parse(sender), envelopeRecipients,
                ret == null ? null : DsnReturn.valueOf(ret), rs.getString("envid"),
                BodyType.valueOf(rs.getString("body_type")), rs.getBoolean("smtputf8"), origin);
        return new EntryRecord(rs.getString("id"), envelope, rs.getLong("message_size"), rs.getLong("body_offset"),
                time(rs, "arrival"), time(rs, "next_attempt"), rs.getBoolean("held"), rs.getString("hold_reason"),
                rs.getBoolean("filtered"), rs.getBytes("edited_header"), rs.getLong("edited_length"),
                time(rs, "lease_until"), rows);
    }

    private int update(String sql, Binder binder) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }
}
