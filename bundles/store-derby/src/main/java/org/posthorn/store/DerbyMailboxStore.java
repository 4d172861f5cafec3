package org.posthorn.store;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.posthorn.api.db.SchemaMigrator;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.CopyResult;
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxChanges;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.MailboxStatus;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.MimePart;
import org.posthorn.api.store.NewMessage;
import org.posthorn.api.store.QuotaUsage;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.store.mime.MessageText;
import org.posthorn.store.mime.MimeParser;
import org.posthorn.store.mime.ParsedMessage;
import org.posthorn.store.mime.StructureCodec;

/**
 * {@link MailboxStore} on the Derby {@link DataSource}. See {@code docs/store.md} for the
 * schema and the locking order: every writer locks the mailbox rows it changes (ascending id)
 * before the account row, so writers of one mailbox queue up instead of deadlocking.
 */
@Component(service = MailboxStore.class, configurationPid = "org.posthorn.store",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = StoreConfig.class)
public final class DerbyMailboxStore implements MailboxStore {

    /** The schema owner name for {@link SchemaMigrator}. */
    public static final String SCHEMA_OWNER = "org.posthorn.store.derby";
    private static final String MESSAGE_COLUMNS =
            "m.uid, m.modseq, m.size, m.internal_date, m.seen, m.answered, m.flagged, m.deleted, m.draft, m.keywords";

    private final Database database;
    private final EventDispatcher events = new EventDispatcher();
    private final ContentPurger purger;
    private final ContentIds contentIds = new ContentIds();
    private final GroupCommit<Append, Delivery.Outcome> appends = new GroupCommit<>();

    @Activate
    public DerbyMailboxStore(StoreConfig config, @Reference DataSource dataSource, @Reference SchemaMigrator migrator)
            throws java.sql.SQLException {
        this(StoreSettings.of(config), dataSource, migrator);
    }

    public DerbyMailboxStore(StoreSettings settings, DataSource dataSource, SchemaMigrator migrator)
            throws java.sql.SQLException {
        migrator.migrate(SCHEMA_OWNER, DerbyMailboxStore.class.getClassLoader(), "db/store");
        this.database = new Database(dataSource, settings.deadlockRetries());
        this.purger = new ContentPurger(database);
        purger.wake();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addListener(MailboxListener listener) {
        events.addListener(listener);
    }

    public void removeListener(MailboxListener listener) {
        events.removeListener(listener);
    }

    @Deactivate
    public void close() {
        purger.close();
        events.close();
    }

    /** Deletes unreferenced raw messages now (tests, admin); normally this runs after each expunge. */
    public int purge() {
        return purger.purge();
    }

    // ---- mailboxes -------------------------------------------------------------------------

    @Override
    public List<MailboxInfo> mailboxes(String account) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            int accountId = MailboxRows.accountId(c, account);
            Set<String> subscribed = new HashSet<>(subscriptions(c, accountId));
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, special_use FROM store_mailbox WHERE account_id = ? ORDER BY name")) {
                ps.setInt(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            Set<String> parents = new HashSet<>();
            for (Object[] row : rows) {
                for (String p = MailboxNames.parent((String) row[1]); p != null; p = MailboxNames.parent(p)) {
                    parents.add(p);
                }
            }
            List<MailboxInfo> result = new ArrayList<>(rows.size());
            for (Object[] row : rows) {
                String name = (String) row[1];
                long id = (Long) row[0];
                result.add(new MailboxInfo(id, name, MailboxRows.specialUse((String) row[2]), parents.contains(name),
                        subscribed.contains(name), id));
            }
            return result;
        });
    }

    @Override
    public MailboxInfo mailbox(String account, String mailbox) throws StoreException {
        return database.transaction(tx -> info(tx.connection(), MailboxRows.find(tx.connection(), account, mailbox)));
    }

    @Override
    public MailboxInfo mailboxById(String account, long mailboxId) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            int accountId = MailboxRows.accountId(c, account);
            MailboxRows.Row row = MailboxRows.byId(c, mailboxId);
            if (row.accountId() != accountId) {
                throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, "no mailbox " + mailboxId);
            }
            return info(c, row);
        });
    }

    private static MailboxInfo info(Connection c, MailboxRows.Row row) throws SQLException {
        boolean children;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM store_mailbox WHERE account_id = ? AND name LIKE ? ESCAPE '\\' FETCH FIRST 1 ROWS ONLY")) {
            ps.setInt(1, row.accountId());
            ps.setString(2, SearchPlan.escapeLike(row.name()) + "/%");
            try (ResultSet rs = ps.executeQuery()) {
                children = rs.next();
            }
        }
        boolean subscribed;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM store_subscription WHERE account_id = ? AND name = ?")) {
            ps.setInt(1, row.accountId());
            ps.setString(2, row.name());
            try (ResultSet rs = ps.executeQuery()) {
                subscribed = rs.next();
            }
        }
        return new MailboxInfo(row.id(), row.name(), row.specialUse(), children, subscribed, row.id());
    }

    @Override
    public MailboxStatus status(String account, String mailbox) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row row = MailboxRows.find(c, account, mailbox);
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), SUM(1 - seen), SUM(deleted), SUM(size),"
                    + " SUM(CASE WHEN uid >= ? THEN 1 ELSE 0 END) FROM store_message WHERE mailbox_id = ?")) {
                ps.setLong(1, row.firstRecent());
                ps.setLong(2, row.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new MailboxStatus(rs.getLong(1), rs.getLong(5), rs.getLong(2), row.uidNext(), row.id(),
                            row.highestModSeq(), rs.getLong(4), rs.getLong(3));
                }
            }
        });
    }

    @Override
    public MailboxSnapshot select(String account, String mailbox, boolean readOnly) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, account, mailbox);
            MailboxRows.Row row;
            boolean claim = !readOnly && found.firstRecent() < found.uidNext();
            if (claim) {
                row = MailboxRows.lock(c, found.id(), 0, false);
            } else {
                // a shared lock until commit: no writer (they all lock this row first) can commit meanwhile
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM store_mailbox WHERE id = ? WITH RS")) {
                    ps.setLong(1, found.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) { // fetching the row is what takes the lock
                            throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, "mailbox was deleted");
                        }
                    }
                }
                row = MailboxRows.byId(c, found.id());
            }
            long[] uids = new long[1024];
            int count = 0;
            int recentFrom = -1;
            long firstUnseen = 0;
            long unseen = 0;
            long deleted = 0;
            long size = 0;
            Set<String> keywords = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT uid, seen, deleted, size, keywords"
                    + " FROM store_message WHERE mailbox_id = ? ORDER BY uid")) {
                ps.setLong(1, row.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long uid = rs.getLong(1);
                        if (count == uids.length) {
                            uids = java.util.Arrays.copyOf(uids, count * 2);
                        }
                        uids[count++] = uid;
                        if (recentFrom < 0 && uid >= row.firstRecent()) {
                            recentFrom = count - 1;
                        }
                        if (rs.getInt(2) == 0) {
                            unseen++;
                            if (firstUnseen == 0) {
                                firstUnseen = uid;
                            }
                        }
                        deleted += rs.getInt(3);
                        size += rs.getLong(4);
                        String k = rs.getString(5);
                        if (k != null) {
                            keywords.addAll(Flags.fromColumns(0, 0, 0, 0, 0, k).keywords());
                        }
                    }
                }
            }
            long recentCount = recentFrom < 0 ? 0 : count - recentFrom;
            UidSet recent = UidSet.EMPTY;
            if (claim && recentFrom >= 0) {
                recent = UidSet.ofSorted(java.util.Arrays.copyOfRange(uids, recentFrom, count), count - recentFrom);
            }
            if (claim) {
                advanceRecent(c, row.id());
            }
            MailboxStatus status = new MailboxStatus(count, recentCount, unseen, row.uidNext(), row.id(),
                    row.highestModSeq(), size, deleted);
            return new MailboxSnapshot(info(c, row), status, UidSet.ofSorted(uids, count), recent, firstUnseen,
                    keywords);
        });
    }

    private static void advanceRecent(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE store_mailbox SET first_recent_uid = uid_next WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            ps.executeUpdate();
        }
    }

    @Override
    public UidSet claimRecent(String account, String mailbox) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, account, mailbox);
            if (found.firstRecent() >= found.uidNext()) {
                return UidSet.EMPTY;
            }
            return claim(c, found.id());
        });
    }

    /** Locks the mailbox and claims its messages from {@code first_recent_uid} up. */
    private static UidSet claim(Connection c, long mailboxId) throws SQLException, StoreException {
        MailboxRows.Row row = MailboxRows.lock(c, mailboxId, 0, false);
        UidSet recent = uidsFrom(c, "SELECT uid FROM store_message WHERE mailbox_id = ? AND uid >= ? ORDER BY uid",
                row.id(), row.firstRecent());
        advanceRecent(c, row.id());
        return recent;
    }

    @Override
    public MailboxChanges changes(String account, String mailbox, long vanishedSince, long changedSince,
                                  boolean claimRecent) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row row = MailboxRows.find(c, account, mailbox);
            UidSet recent = claimRecent && row.firstRecent() < row.uidNext() ? claim(c, row.id()) : UidSet.EMPTY;
            UidSet vanished = vanishedSince < 0 ? UidSet.EMPTY : vanished(c, row.id(), vanishedSince);
            return new MailboxChanges(row.highestModSeq(), vanished, changed(c, row.id(), changedSince), recent);
        });
    }

    private static UidSet uidsFrom(Connection c, String sql, long mailboxId, long bound) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, mailboxId);
            ps.setLong(2, bound);
            try (ResultSet rs = ps.executeQuery()) {
                long[] uids = new long[64];
                int n = 0;
                while (rs.next()) {
                    if (n == uids.length) {
                        uids = java.util.Arrays.copyOf(uids, n * 2);
                    }
                    uids[n++] = rs.getLong(1);
                }
                return UidSet.ofSorted(uids, n);
            }
        }
    }

    @Override
    public MailboxInfo create(String account, String mailbox, Set<SpecialUse> specialUse) throws StoreException {
        String name = MailboxNames.canonical(mailbox);
        String owner = MailboxRows.canonicalAccount(account);
        return database.transaction(tx -> {
            Connection c = tx.connection();
            int accountId = MailboxRows.accountId(c, owner);
            if (MailboxRows.exists(c, accountId, name)) {
                throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "mailbox exists: " + name);
            }
            List<MailboxEvent> created = new ArrayList<>();
            long id = createWithParents(tx, owner, accountId, name, specialUse, 1, created);
            return info(c, MailboxRows.byId(c, id));
        });
    }

    /** Creates {@code name} and its missing parents, each announced after commit. */
    private long createWithParents(Database.Tx tx, String account, int accountId, String name,
                                   Set<SpecialUse> specialUse, long uidNext, List<MailboxEvent> created)
            throws SQLException, StoreException {
        Connection c = tx.connection();
        String parent = MailboxNames.parent(name);
        if (parent != null && !MailboxRows.exists(c, accountId, parent)) {
            createWithParents(tx, account, accountId, parent, Set.of(), 1, created);
        }
        long id;
        try {
            id = MailboxRows.insert(c, accountId, name, specialUse, uidNext);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "mailbox exists: " + name);
            }
            throw e;
        }
        announce(tx, id, mailboxEvent(account, id, name, MailboxEvent.Kind.CREATED, 1, null));
        return id;
    }

    private static MailboxEvent mailboxEvent(String account, long id, String name, MailboxEvent.Kind kind,
                                             long modSeq, String newName) {
        return new MailboxEvent(account, id, name, id, kind, UidSet.EMPTY, List.of(), modSeq, newName);
    }

    /** Queues events of a mailbox this transaction has locked, sent when it commits. */
    private void announce(Database.Tx tx, long mailboxId, MailboxEvent... toSend) {
        EventDispatcher.Ticket ticket = events.register(mailboxId);
        tx.afterRollback(ticket::cancel);
        tx.afterCommit(() -> ticket.publish(List.of(toSend)));
    }

    @Override
    public void delete(String account, String mailbox) throws StoreException {
        String owner = MailboxRows.canonicalAccount(account);
        database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, owner, mailbox);
            if (MailboxNames.isInbox(found.name())) {
                throw new StoreException(StoreException.Reason.NOT_ALLOWED, "INBOX cannot be deleted");
            }
            if (info(c, found).hasChildren()) {
                throw new StoreException(StoreException.Reason.NOT_ALLOWED,
                        "mailbox has children; delete them first: " + found.name());
            }
            MailboxRows.Row row = MailboxRows.lock(c, found.id(), 0, true);
            long[] usage = usage(c, row.id());
            for (String sql : List.of(
                    "INSERT INTO store_purge (content_id) SELECT content_id FROM store_message WHERE mailbox_id = ?",
                    "DELETE FROM store_message WHERE mailbox_id = ?", "DELETE FROM store_expunged WHERE mailbox_id = ?",
                    "DELETE FROM store_mailbox WHERE id = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, row.id());
                    ps.executeUpdate();
                }
            }
            changeUsage(c, row.accountId(), -usage[1], -usage[0], false);
            announce(tx, row.id(), mailboxEvent(owner, row.id(), row.name(), MailboxEvent.Kind.DELETED,
                    row.highestModSeq(), null));
            tx.afterCommit(purger::wake);
            return null;
        });
    }

    /** {messages, bytes} of a mailbox. */
    private static long[] usage(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM store_message WHERE mailbox_id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /**
     * Adds to the account's usage; with {@code enforce}, refuses ({@code QUOTA_EXCEEDED}) if the
     * result would pass a limit. Call after locking the mailbox rows.
     */
    private static void changeUsage(Connection c, int accountId, long bytes, long messages, boolean enforce)
            throws SQLException, StoreException {
        String sql = "UPDATE store_account SET used_bytes = used_bytes + ?, used_messages = used_messages + ?"
                + " WHERE id = ?" + (enforce ? " AND (quota_bytes = 0 OR used_bytes + ? <= quota_bytes)"
                + " AND (quota_messages = 0 OR used_messages + ? <= quota_messages)" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, bytes);
            ps.setLong(2, messages);
            ps.setInt(3, accountId);
            if (enforce) {
                ps.setLong(4, bytes);
                ps.setLong(5, messages);
            }
            if (ps.executeUpdate() == 0) {
                throw new StoreException(StoreException.Reason.QUOTA_EXCEEDED, "quota exceeded");
            }
        }
    }

    @Override
    public void rename(String account, String from, String to) throws StoreException {
        String owner = MailboxRows.canonicalAccount(account);
        String target = MailboxNames.canonical(to);
        database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row source = MailboxRows.find(c, owner, from);
            if (MailboxRows.exists(c, source.accountId(), target)) {
                throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "mailbox exists: " + target);
            }
            if (target.startsWith(source.name() + "/") || MailboxNames.isInbox(target)) {
                throw new StoreException(StoreException.Reason.NOT_ALLOWED, "cannot rename into itself or INBOX");
            }
            if (MailboxNames.isInbox(source.name())) {
                renameInbox(tx, owner, source, target);
                return null;
            }
            List<MailboxRows.Row> moving = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM store_mailbox WHERE account_id = ?"
                    + " AND (name = ? OR name LIKE ? ESCAPE '\\') ORDER BY id")) {
                ps.setInt(1, source.accountId());
                ps.setString(2, source.name());
                ps.setString(3, SearchPlan.escapeLike(source.name()) + "/%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        moving.add(MailboxRows.lock(c, rs.getLong(1), 0, false));
                    }
                }
            }
            String parent = MailboxNames.parent(target);
            if (parent != null && !MailboxRows.exists(c, source.accountId(), parent)) {
                createWithParents(tx, owner, source.accountId(), parent, Set.of(), 1, new ArrayList<>());
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE store_mailbox SET name = ? WHERE id = ?")) {
                for (MailboxRows.Row row : moving) {
                    String newName = target + row.name().substring(source.name().length());
                    ps.setString(1, newName);
                    ps.setLong(2, row.id());
                    ps.executeUpdate();
                    announce(tx, row.id(), mailboxEvent(owner, row.id(), row.name(), MailboxEvent.Kind.RENAMED,
                            row.highestModSeq(), newName));
                }
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "a child's new name exists");
                }
                throw e;
            }
            return null;
        });
    }

    /** RFC 9051 §6.3.6: renaming INBOX moves its messages to a new mailbox; INBOX stays, empty. */
    private void renameInbox(Database.Tx tx, String owner, MailboxRows.Row inbox, String target)
            throws SQLException, StoreException {
        Connection c = tx.connection();
        MailboxRows.Row row = MailboxRows.lock(c, inbox.id(), 0, true);
        long id = createWithParents(tx, owner, row.accountId(), target, Set.of(), row.uidNext(), new ArrayList<>());
        UidSet moved = uidsFrom(c, "SELECT uid FROM store_message WHERE mailbox_id = ? AND uid >= ? ORDER BY uid",
                row.id(), 1);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO store_expunged (mailbox_id, uid, modseq) SELECT mailbox_id, uid, ? FROM store_message"
                        + " WHERE mailbox_id = ?")) {
            ps.setLong(1, row.highestModSeq());
            ps.setLong(2, row.id());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE store_message SET mailbox_id = ?, modseq = 1 WHERE mailbox_id = ?")) {
            ps.setLong(1, id);
            ps.setLong(2, row.id());
            ps.executeUpdate();
        }
        announce(tx, row.id(), new MailboxEvent(owner, row.id(), row.name(), row.id(), MailboxEvent.Kind.EXPUNGED,
                moved, List.of(), row.highestModSeq(), null));
    }

    @Override
    public void subscribe(String account, String mailbox, boolean subscribed) throws StoreException {
        String name = MailboxNames.canonical(mailbox);
        database.transaction(tx -> {
            Connection c = tx.connection();
            int accountId = MailboxRows.accountId(c, account);
            String sql = subscribed ? "INSERT INTO store_subscription (account_id, name) VALUES (?, ?)"
                    : "DELETE FROM store_subscription WHERE account_id = ? AND name = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, accountId);
                ps.setString(2, name);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public List<String> subscriptions(String account) throws StoreException {
        return database.transaction(tx -> subscriptions(tx.connection(), MailboxRows.accountId(tx.connection(), account)));
    }

    private static List<String> subscriptions(Connection c, int accountId) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name FROM store_subscription WHERE account_id = ? ORDER BY name")) {
            ps.setInt(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    @Override
    public QuotaUsage quota(String account) throws StoreException {
        String owner = MailboxRows.canonicalAccount(account);
        return database.transaction(tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("SELECT used_bytes, quota_bytes,"
                    + " used_messages, quota_messages FROM store_account WHERE name = ?")) {
                ps.setString(1, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new StoreException(StoreException.Reason.NO_SUCH_ACCOUNT, "no account " + account);
                    }
                    return new QuotaUsage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                }
            }
        });
    }

    // ---- messages --------------------------------------------------------------------------

    @Override
    public AppendResult append(String account, String mailbox, MessageSource message, Set<String> flags,
                               Instant internalDate) throws StoreException {
        Delivery.Outcome outcome = deliver(List.of(new Delivery(account, mailbox, flags)), message, internalDate)
                .get(0);
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.result();
    }

    @Override
    public List<Delivery.Outcome> deliver(List<Delivery> recipients, MessageSource message, Instant internalDate)
            throws StoreException {
        int n = recipients.size();
        Flags[] flags = new Flags[n];
        String[] keywords = new String[n];
        StoreException[] invalid = new StoreException[n];
        for (int i = 0; i < n; i++) {
            try {
                flags[i] = Flags.of(recipients.get(i).flags());
                keywords[i] = flags[i].keywordsColumn();
            } catch (StoreException e) {
                invalid[i] = e;
            }
        }
        long size = message.size();
        long date = (internalDate == null ? Instant.now() : internalDate).toEpochMilli();
        Parsed content = parse(message, date);
        if (n == 1 && invalid[0] == null) {
            String key = appendKey(recipients.get(0));
            if (key != null) {
                Append append = new Append(recipients.get(0), flags[0], message, size, date, content);
                return List.of(appends.submit(key, append, this::appendTogether));
            }
        }
        ParsedMessage parsed = content.parsed();
        byte[] structure = content.structure();
        java.sql.Date sentDate = content.sentDate();
        return database.transaction(tx -> {
            Connection c = tx.connection();
            StoreException[] failed = invalid.clone();
            MailboxRows.Row[] rows = new MailboxRows.Row[n];
            for (int i = 0; i < n; i++) {
                if (failed[i] == null) {
                    try {
                        rows[i] = MailboxRows.find(c, recipients.get(i).account(), recipients.get(i).mailbox());
                        checkQuota(c, rows[i].accountId(), size, 1);
                    } catch (StoreException e) {
                        failed[i] = e;
                    }
                }
            }
            AppendResult[] results = new AppendResult[n];
            if (java.util.Arrays.stream(failed).allMatch(java.util.Objects::nonNull)) {
                return outcomes(recipients, results, failed);
            }
            long contentId = insertContent(c, parsed, sentDate, structure, message, size);
            // lock order: every mailbox (ascending id), then every account (ascending id)
            java.util.TreeMap<Long, List<Integer>> byMailbox = new java.util.TreeMap<>();
            java.util.TreeMap<Integer, List<Integer>> byAccount = new java.util.TreeMap<>();
            for (int i = 0; i < n; i++) {
                if (failed[i] == null) {
                    byMailbox.computeIfAbsent(rows[i].id(), id -> new ArrayList<>()).add(i);
                    byAccount.computeIfAbsent(rows[i].accountId(), id -> new ArrayList<>()).add(i);
                }
            }
            boolean single = byMailbox.size() == 1 && byMailbox.firstEntry().getValue().size() == 1;
            if (!single) {
                // hold every mailbox before any account, so a recipient over quota can be dropped
                // before UIDs are taken; a single recipient simply rolls back
                for (long id : byMailbox.keySet()) {
                    MailboxRows.lockOnly(c, id);
                }
            }
            MailboxRows.Row singleRow = single ? MailboxRows.lock(c, byMailbox.firstKey(), 1, true) : null;
            for (var account : byAccount.entrySet()) {
                int copies = account.getValue().size();
                try {
                    changeUsage(c, account.getKey(), size * copies, copies, true);
                } catch (StoreException e) {
                    for (int i : account.getValue()) {
                        failed[i] = e;
                    }
                }
            }
            byMailbox.values().forEach(list -> list.removeIf(i -> failed[i] != null));
            byMailbox.values().removeIf(List::isEmpty);
            if (byMailbox.isEmpty()) {
                c.rollback(); // nobody can take it: the content row (and a taken UID) go too
                return outcomes(recipients, results, failed);
            }
            try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
                for (var mailbox : byMailbox.entrySet()) {
                    List<Integer> copies = mailbox.getValue();
                    MailboxRows.Row row = single ? singleRow : MailboxRows.lock(c, mailbox.getKey(), copies.size(), true);
                    long uid = row.uidNext() - copies.size();
                    List<MessageMeta> added = new ArrayList<>();
                    for (int i : copies) {
                        bindMessage(ps, row.id(), uid, row.highestModSeq(), contentId, size, date, flags[i], keywords[i]);
                        ps.addBatch();
                        added.add(new MessageMeta(uid, row.highestModSeq(), flags[i].toSet(), size,
                                Instant.ofEpochMilli(date)));
                        results[i] = new AppendResult(row.id(), uid, row.highestModSeq());
                        uid++;
                    }
                    String owner = MailboxRows.canonicalAccount(recipients.get(copies.get(0)).account());
                    announce(tx, row.id(), new MailboxEvent(owner, row.id(), row.name(), row.id(),
                            MailboxEvent.Kind.ADDED, uidSetOf(added), added, row.highestModSeq(), null));
                }
                ps.executeBatch();
            }
            return outcomes(recipients, results, failed);
        });
    }

    /** One recipient's delivery, committed together with others to the same mailbox ({@link GroupCommit}). */
    private record Append(Delivery recipient, Flags flags, MessageSource message, long size, long date,
                          Parsed content) {
    }

    /** The mailbox a single delivery goes to, or null if the name is invalid (the plain path reports it). */
    private static String appendKey(Delivery recipient) {
        try {
            return MailboxRows.canonicalAccount(recipient.account()) + "\n"
                    + MailboxNames.canonical(recipient.mailbox());
        } catch (StoreException e) {
            return null;
        }
    }

    /**
     * Delivers to one mailbox in one transaction and one log flush: the raw messages first,
     * then, under the mailbox lock, one UID and one MODSEQ each, in order, with an event each,
     * as if they had been delivered one after the other. A recipient over quota is dropped
     * alone; if the transaction fails as a whole, each delivery is tried on its own.
     */
    private List<Delivery.Outcome> appendTogether(List<Append> batch) {
        try {
            return appendBatch(batch);
        } catch (StoreException e) {
            if (batch.size() == 1) {
                return List.of(new Delivery.Outcome(batch.get(0).recipient(), null, e));
            }
            List<Delivery.Outcome> outcomes = new ArrayList<>();
            for (Append append : batch) {
                outcomes.add(appendTogether(List.of(append)).get(0));
            }
            return outcomes;
        }
    }

    private List<Delivery.Outcome> appendBatch(List<Append> batch) throws StoreException {
        Delivery first = batch.get(0).recipient();
        String owner = MailboxRows.canonicalAccount(first.account());
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, owner, first.mailbox());
            int n = batch.size();
            long[] contents = new long[n];
            StoreException[] failed = new StoreException[n];
            for (int i = 0; i < n; i++) {
                Append a = batch.get(i);
                try {
                    checkQuota(c, found.accountId(), a.size(), 1);
                    contents[i] = insertContent(c, a.content().parsed(), a.content().sentDate(),
                            a.content().structure(), a.message(), a.size());
                } catch (StoreException e) {
                    failed[i] = e;
                }
            }
            MailboxRows.lockOnly(c, found.id());
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (failed[i] == null) {
                    try {
                        changeUsage(c, found.accountId(), batch.get(i).size(), 1, true);
                        accepted.add(i);
                    } catch (StoreException e) {
                        failed[i] = e;
                        forget(c, contents[i]);
                    }
                }
            }
            AppendResult[] results = new AppendResult[n];
            if (accepted.isEmpty()) {
                c.rollback();
            } else {
                MailboxRows.Row row = MailboxRows.lock(c, found.id(), accepted.size(), accepted.size());
                long uid = row.uidNext() - accepted.size();
                long modSeq = row.highestModSeq() - accepted.size() + 1;
                try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
                    for (int i : accepted) {
                        Append a = batch.get(i);
                        bindMessage(ps, row.id(), uid, modSeq, contents[i], a.size(), a.date(), a.flags(),
                                a.flags().keywordsColumn());
                        ps.addBatch();
                        MessageMeta added = new MessageMeta(uid, modSeq, a.flags().toSet(), a.size(),
                                Instant.ofEpochMilli(a.date()));
                        announce(tx, row.id(), new MailboxEvent(owner, row.id(), row.name(), row.id(),
                                MailboxEvent.Kind.ADDED, UidSet.ofUids(uid), List.of(added), modSeq, null));
                        results[i] = new AppendResult(row.id(), uid, modSeq);
                        uid++;
                        modSeq++;
                    }
                    ps.executeBatch();
                }
            }
            List<Delivery.Outcome> outcomes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                outcomes.add(new Delivery.Outcome(batch.get(i).recipient(), results[i],
                        results[i] == null ? failed[i] : null));
            }
            return outcomes;
        });
    }

    /** A content row stored for a delivery that was then refused: the purger removes it. */
    private static void forget(Connection c, long contentId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO store_purge (content_id) VALUES (?)")) {
            ps.setLong(1, contentId);
            ps.executeUpdate();
        }
    }

    /** A message parsed before its transaction, so the database waits for no parsing. */
    private record Parsed(ParsedMessage parsed, byte[] structure, java.sql.Date sentDate) {
    }

    private static Parsed parse(MessageSource message, long internalDate) throws StoreException {
        ParsedMessage parsed;
        try (InputStream in = message.openStream()) {
            parsed = MimeParser.parse(in);
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot read the message: " + e.getMessage(), e);
        }
        java.sql.Date sentDate = java.sql.Date.valueOf(parsed.sentDate() != null ? parsed.sentDate().toLocalDate()
                : Instant.ofEpochMilli(internalDate).atOffset(ZoneOffset.UTC).toLocalDate());
        return new Parsed(parsed, StructureCodec.encode(parsed.structure()), sentDate);
    }

    @Override
    public List<AppendResult> appendAll(String account, String mailbox, List<NewMessage> messages)
            throws StoreException {
        int n = messages.size();
        if (n == 0) {
            return List.of();
        }
        Flags[] flags = new Flags[n];
        long[] dates = new long[n];
        Parsed[] parsed = new Parsed[n];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            NewMessage m = messages.get(i);
            flags[i] = Flags.of(m.flags());
            dates[i] = (m.internalDate() == null ? Instant.now() : m.internalDate()).toEpochMilli();
            parsed[i] = parse(m.message(), dates[i]);
            bytes += m.message().size();
        }
        long total = bytes;
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, account, mailbox);
            checkQuota(c, found.accountId(), total, n);
            long[] contentIds = new long[n];
            for (int i = 0; i < n; i++) {
                contentIds[i] = insertContent(c, parsed[i].parsed(), parsed[i].sentDate(), parsed[i].structure(),
                        messages.get(i).message(), messages.get(i).message().size());
            }
            // lock order as in deliver: the mailbox, then the account
            MailboxRows.Row row = MailboxRows.lock(c, found.id(), n, true);
            changeUsage(c, row.accountId(), total, n, true);
            long uid = row.uidNext() - n;
            List<MessageMeta> added = new ArrayList<>(n);
            List<AppendResult> results = new ArrayList<>(n);
            try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
                for (int i = 0; i < n; i++, uid++) {
                    long size = messages.get(i).message().size();
                    bindMessage(ps, row.id(), uid, row.highestModSeq(), contentIds[i], size, dates[i], flags[i],
                            flags[i].keywordsColumn());
                    ps.addBatch();
                    added.add(new MessageMeta(uid, row.highestModSeq(), flags[i].toSet(), size,
                            Instant.ofEpochMilli(dates[i])));
                    results.add(new AppendResult(row.id(), uid, row.highestModSeq()));
                }
                ps.executeBatch();
            }
            announce(tx, row.id(), new MailboxEvent(MailboxRows.canonicalAccount(account), row.id(), row.name(),
                    row.id(), MailboxEvent.Kind.ADDED, uidSetOf(added), added, row.highestModSeq(), null));
            return results;
        });
    }

    private static List<Delivery.Outcome> outcomes(List<Delivery> recipients, AppendResult[] results,
                                                   StoreException[] failed) {
        List<Delivery.Outcome> outcomes = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            outcomes.add(new Delivery.Outcome(recipients.get(i), results[i], results[i] == null ? failed[i] : null));
        }
        return outcomes;
    }

    private static final String INSERT_MESSAGE = "INSERT INTO store_message (mailbox_id, uid, modseq, content_id,"
            + " size, internal_date, seen, answered, flagged, deleted, draft, keywords)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static void bindMessage(PreparedStatement ps, long mailboxId, long uid, long modSeq, long contentId,
                                    long size, long internalDate, Flags flags, String keywords) throws SQLException {
        ps.setLong(1, mailboxId);
        ps.setLong(2, uid);
        ps.setLong(3, modSeq);
        ps.setLong(4, contentId);
        ps.setLong(5, size);
        ps.setLong(6, internalDate);
        ps.setInt(7, flags.seen() ? 1 : 0);
        ps.setInt(8, flags.answered() ? 1 : 0);
        ps.setInt(9, flags.flagged() ? 1 : 0);
        ps.setInt(10, flags.deleted() ? 1 : 0);
        ps.setInt(11, flags.draft() ? 1 : 0);
        ps.setString(12, keywords);
    }

    /** Fails early, before the message is written, if it cannot fit; the locked check follows. */
    private static void checkQuota(Connection c, int accountId, long bytes, long messages)
            throws SQLException, StoreException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM store_account WHERE id = ?"
                + " AND (quota_bytes = 0 OR used_bytes + ? <= quota_bytes)"
                + " AND (quota_messages = 0 OR used_messages + ? <= quota_messages)")) {
            ps.setInt(1, accountId);
            ps.setLong(2, bytes);
            ps.setLong(3, messages);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException(StoreException.Reason.QUOTA_EXCEEDED, "quota exceeded");
                }
            }
        }
    }

    private long insertContent(Connection c, ParsedMessage parsed, java.sql.Date sentDate, byte[] structure,
                               MessageSource message, long size) throws SQLException, IOException {
        for (int attempt = 0; ; attempt++) {
            long id = contentIds.next(c);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO store_content (id, size, sent_date, sent_at,"
                    + " s_from, s_to, s_cc, s_bcc, s_subject, structure, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 InputStream raw = message.openStream()) {
                ps.setLong(1, id);
                ps.setLong(2, size);
                ps.setDate(3, sentDate);
                if (parsed.sentDate() != null) {
                    ps.setLong(4, parsed.sentDate().toInstant().toEpochMilli());
                } else {
                    ps.setNull(4, Types.BIGINT);
                }
                ps.setString(5, column(parsed.from()));
                ps.setString(6, column(parsed.to()));
                ps.setString(7, column(parsed.cc()));
                ps.setString(8, column(parsed.bcc()));
                ps.setString(9, column(parsed.subject()));
                ps.setBytes(10, structure);
                ps.setBinaryStream(11, raw, size);
                ps.executeUpdate();
                return id;
            } catch (SQLException e) {
                // another node sharing the database took the id: re-read the maximum and retry
                if (!"23505".equals(e.getSQLState()) || attempt >= 5) {
                    throw e;
                }
                contentIds.reset();
            }
        }
    }

    /** Search text columns hold the first 4000 characters (documented limit). */
    private static String column(String text) {
        return text == null || text.length() <= 4000 ? text : text.substring(0, 4000);
    }

    @Override
    public List<MessageMeta> messages(String account, String mailbox, UidSet uids) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row row = MailboxRows.find(c, account, mailbox);
            return metas(c, "SELECT " + MESSAGE_COLUMNS + " FROM store_message m WHERE m.mailbox_id = ?"
                    + " AND m.uid BETWEEN ? AND ? ORDER BY m.uid", row.id(), uids.first(), uids.last(), uids);
        });
    }

    @Override
    public List<MessageMeta> changedSince(String account, String mailbox, long modSeq) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            return changed(c, MailboxRows.find(c, account, mailbox).id(), modSeq);
        });
    }

    private static List<MessageMeta> changed(Connection c, long mailboxId, long modSeq) throws SQLException {
        return metas(c, "SELECT " + MESSAGE_COLUMNS + " FROM store_message m WHERE m.mailbox_id = ?"
                + " AND m.modseq > ? AND m.modseq <= ? ORDER BY m.uid", mailboxId, modSeq, Long.MAX_VALUE, null);
    }

    private static List<MessageMeta> metas(Connection c, String sql, long mailboxId, long a, long b, UidSet filter)
            throws SQLException {
        List<MessageMeta> result = new ArrayList<>();
        if (filter != null && filter.isEmpty()) {
            return result;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, mailboxId);
            ps.setLong(2, a);
            ps.setLong(3, b);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (filter == null || filter.contains(rs.getLong(1))) {
                        result.add(meta(rs));
                    }
                }
            }
        }
        return result;
    }

    /** Reads {@link #MESSAGE_COLUMNS} from the current row. */
    private static MessageMeta meta(ResultSet rs) throws SQLException {
        return new MessageMeta(rs.getLong(1), rs.getLong(2), flags(rs).toSet(), rs.getLong(3),
                Instant.ofEpochMilli(rs.getLong(4)));
    }

    private static Flags flags(ResultSet rs) throws SQLException {
        return Flags.fromColumns(rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getInt(9),
                rs.getString(10));
    }

    @Override
    public UidSet vanishedSince(String account, String mailbox, long modSeq) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            return vanished(c, MailboxRows.find(c, account, mailbox).id(), modSeq);
        });
    }

    private static UidSet vanished(Connection c, long mailboxId, long modSeq) throws SQLException {
        return uidsFrom(c, "SELECT uid FROM store_expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid",
                mailboxId, modSeq);
    }

    @Override
    public List<StoredMessage> fetch(String account, String mailbox, UidSet uids) throws StoreException {
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row row = MailboxRows.find(c, account, mailbox);
            List<StoredMessage> result = new ArrayList<>();
            if (uids.isEmpty()) {
                return result;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + ", m.content_id, c.structure"
                    + " FROM store_message m JOIN store_content c ON c.id = m.content_id"
                    + " WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid")) {
                ps.setLong(1, row.id());
                ps.setLong(2, uids.first());
                ps.setLong(3, uids.last());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (uids.contains(rs.getLong(1))) {
                            MessageMeta meta = meta(rs);
                            MimePart structure = StructureCodec.decode(rs.getBytes(12));
                            result.add(new StoredMessage(meta, new BlobContent(database, rs.getLong(11), meta.size()),
                                    structure));
                        }
                    }
                }
            }
            return result;
        });
    }

    @Override
    public StoredMessage message(String account, String mailbox, long uid) throws StoreException {
        List<StoredMessage> found = fetch(account, mailbox, UidSet.ofUids(uid));
        if (found.isEmpty()) {
            throw new StoreException(StoreException.Reason.NO_SUCH_MESSAGE, "no message with UID " + uid);
        }
        return found.get(0);
    }

    @Override
    public FlagUpdate updateFlags(String account, String mailbox, UidSet uids, FlagUpdate.Mode mode,
                                  Set<String> flags, long unchangedSince) throws StoreException {
        Flags change = Flags.of(flags);
        String owner = MailboxRows.canonicalAccount(account);
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, owner, mailbox);
            if (uids.isEmpty()) {
                return new FlagUpdate(List.of(), UidSet.EMPTY);
            }
            MailboxRows.Row row = MailboxRows.lock(c, found.id(), 0, true);
            long modSeq = row.highestModSeq();
            List<MessageMeta> changed = new ArrayList<>();
            List<Long> modified = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + MESSAGE_COLUMNS
                    + " FROM store_message m WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid");
                 PreparedStatement update = c.prepareStatement("UPDATE store_message SET seen = ?, answered = ?,"
                         + " flagged = ?, deleted = ?, draft = ?, keywords = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?")) {
                select.setLong(1, row.id());
                select.setLong(2, uids.first());
                select.setLong(3, uids.last());
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        long uid = rs.getLong(1);
                        if (!uids.contains(uid)) {
                            continue;
                        }
                        if (unchangedSince >= 0 && rs.getLong(2) > unchangedSince) {
                            modified.add(uid);
                            continue;
                        }
                        Flags before = flags(rs);
                        Flags after = before.apply(mode, change);
                        if (after.sameAs(before)) {
                            continue;
                        }
                        update.setInt(1, after.seen() ? 1 : 0);
                        update.setInt(2, after.answered() ? 1 : 0);
                        update.setInt(3, after.flagged() ? 1 : 0);
                        update.setInt(4, after.deleted() ? 1 : 0);
                        update.setInt(5, after.draft() ? 1 : 0);
                        update.setString(6, after.keywordsColumn());
                        update.setLong(7, modSeq);
                        update.setLong(8, row.id());
                        update.setLong(9, uid);
                        update.addBatch();
                        changed.add(new MessageMeta(uid, modSeq, after.toSet(), rs.getLong(3),
                                Instant.ofEpochMilli(rs.getLong(4))));
                    }
                }
                if (!changed.isEmpty()) {
                    update.executeBatch();
                }
            }
            UidSet modifiedSet = UidSet.ofUids(modified.stream().mapToLong(Long::longValue).toArray());
            if (changed.isEmpty()) {
                c.rollback(); // nothing changed: no MODSEQ is used up
                return new FlagUpdate(List.of(), modifiedSet);
            }
            announce(tx, row.id(), new MailboxEvent(owner, row.id(), row.name(), row.id(), MailboxEvent.Kind.FLAGS,
                    uidSetOf(changed), changed, modSeq, null));
            return new FlagUpdate(changed, modifiedSet);
        });
    }

    private static UidSet uidSetOf(List<MessageMeta> metas) {
        return UidSet.ofUids(metas.stream().mapToLong(MessageMeta::uid).toArray());
    }

    @Override
    public UidSet expunge(String account, String mailbox, UidSet uids) throws StoreException {
        return removeWhere(account, mailbox, uids, " AND deleted = 1");
    }

    @Override
    public UidSet remove(String account, String mailbox, UidSet uids) throws StoreException {
        return removeWhere(account, mailbox, uids, "");
    }

    /**
     * Deletes the messages in {@code uids} that meet {@code condition} with a few set-based
     * statements per UID range (not per message), records them as expunged and their content
     * as purge candidates, and frees their quota.
     */
    private UidSet removeWhere(String account, String mailbox, UidSet uids, String condition)
            throws StoreException {
        String owner = MailboxRows.canonicalAccount(account);
        String inRange = " FROM store_message WHERE mailbox_id = ? AND uid BETWEEN ? AND ?" + condition;
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row found = MailboxRows.find(c, owner, mailbox);
            // look before locking: an EXPUNGE that finds nothing stays a read, and its commit forces no log
            if (uids.isEmpty() || uidsAndSizes(c, found.id(), uids, inRange, true).isEmpty()) {
                return UidSet.EMPTY;
            }
            MailboxRows.Row row = MailboxRows.lock(c, found.id(), 0, true);
            List<long[]> gone = uidsAndSizes(c, row.id(), uids, inRange, false);
            if (gone.isEmpty()) { // removed by someone else in between
                c.rollback();
                return UidSet.EMPTY;
            }
            long first = gone.get(0)[0];
            long last = gone.get(gone.size() - 1)[0];
            for (String sql : List.of("INSERT INTO store_expunged (mailbox_id, uid, modseq) SELECT mailbox_id, uid,"
                    + " CAST(? AS BIGINT)" + inRange, "INSERT INTO store_purge (content_id) SELECT content_id" + inRange,
                    "DELETE" + inRange)) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = sql.startsWith("INSERT INTO store_expunged") ? 1 : 0;
                    for (UidSet.Range r : uids.ranges()) {
                        if (r.last() >= first && r.first() <= last) {
                            if (p == 1) {
                                ps.setLong(1, row.highestModSeq());
                            }
                            ps.setLong(p + 1, row.id());
                            ps.setLong(p + 2, Math.max(r.first(), first));
                            ps.setLong(p + 3, Math.min(r.last(), last));
                            ps.addBatch();
                        }
                    }
                    ps.executeBatch();
                }
            }
            long bytes = gone.stream().mapToLong(r -> r[1]).sum();
            changeUsage(c, row.accountId(), -bytes, -gone.size(), false);
            UidSet removed = UidSet.ofUids(gone.stream().mapToLong(r -> r[0]).toArray());
            announce(tx, row.id(), new MailboxEvent(owner, row.id(), row.name(), row.id(), MailboxEvent.Kind.EXPUNGED,
                    removed, List.of(), row.highestModSeq(), null));
            tx.afterCommit(purger::wake);
            return removed;
        });
    }

    /** {uid, size} of the messages in {@code uids} matching {@code inRange}; with {@code firstOnly}, at most one. */
    private static List<long[]> uidsAndSizes(Connection c, long mailboxId, UidSet uids, String inRange,
                                             boolean firstOnly) throws SQLException {
        List<long[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT uid, size" + inRange + " ORDER BY uid")) {
            ps.setLong(1, mailboxId);
            ps.setLong(2, uids.first());
            ps.setLong(3, uids.last());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && !(firstOnly && !rows.isEmpty())) {
                    if (uids.contains(rs.getLong(1))) {
                        rows.add(new long[] {rs.getLong(1), rs.getLong(2)});
                    }
                }
            }
        }
        return rows;
    }

    /** Rows {uid, size, content_id, internal_date, seen, answered, flagged, deleted, draft} in {@code uids}. */
    private static List<long[]> sourceRows(Connection c, long mailboxId, UidSet uids, String condition)
            throws SQLException {
        List<long[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT uid, size, content_id, internal_date, seen, answered,"
                + " flagged, deleted, draft FROM store_message WHERE mailbox_id = ? AND uid BETWEEN ? AND ?"
                + condition + " ORDER BY uid")) {
            ps.setLong(1, mailboxId);
            ps.setLong(2, uids.first());
            ps.setLong(3, uids.last());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (uids.contains(rs.getLong(1))) {
                        long[] r = new long[9];
                        for (int i = 0; i < r.length; i++) {
                            r[i] = rs.getLong(i + 1);
                        }
                        rows.add(r);
                    }
                }
            }
        }
        return rows;
    }

    /**
     * Deletes moved messages and records their UIDs as expunged at the row's MODSEQ. Their
     * content stays: the copies in the target mailbox share it, so nothing is purged.
     */
    private static void removeMovedMessages(Connection c, MailboxRows.Row row, List<long[]> rows) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM store_message WHERE mailbox_id = ? AND uid = ?");
             PreparedStatement expunged = c.prepareStatement(
                     "INSERT INTO store_expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)")) {
            for (long[] r : rows) {
                delete.setLong(1, row.id());
                delete.setLong(2, r[0]);
                delete.addBatch();
                expunged.setLong(1, row.id());
                expunged.setLong(2, r[0]);
                expunged.setLong(3, row.highestModSeq());
                expunged.addBatch();
            }
            delete.executeBatch();
            expunged.executeBatch();
        }
    }

    @Override
    public CopyResult copy(String account, String from, UidSet uids, String to) throws StoreException {
        return transfer(account, from, uids, to, false);
    }

    @Override
    public CopyResult move(String account, String from, UidSet uids, String to) throws StoreException {
        return transfer(account, from, uids, to, true);
    }

    private CopyResult transfer(String account, String from, UidSet uids, String to, boolean move)
            throws StoreException {
        String owner = MailboxRows.canonicalAccount(account);
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row source = MailboxRows.find(c, owner, from);
            MailboxRows.Row target = MailboxRows.find(c, owner, to);
            boolean same = source.id() == target.id();
            // lock both rows in id order; the source so no expunge (and purge) runs under our feet
            MailboxRows.lockOnly(c, Math.min(source.id(), target.id()));
            MailboxRows.lockOnly(c, Math.max(source.id(), target.id()));
            List<long[]> rows = sourceRows(c, source.id(), uids, "");
            if (rows.isEmpty()) {
                c.rollback();
                return new CopyResult(target.id(), List.of(), List.of());
            }
            List<String> keywords = keywordsOf(c, source.id(), rows);
            MailboxRows.Row src = move && !same ? MailboxRows.lock(c, source.id(), 0, true) : source;
            MailboxRows.Row dst = MailboxRows.lock(c, target.id(), rows.size(), true);
            if (same) {
                // RFC 6851: a MOVE within one mailbox gives the messages new UIDs at one MODSEQ
                src = dst;
            }
            long firstUid = dst.uidNext() - rows.size();
            long bytes = rows.stream().mapToLong(r -> r[1]).sum();
            if (!move) {
                changeUsage(c, dst.accountId(), bytes, rows.size(), true);
            }
            List<Long> sourceUids = new ArrayList<>();
            List<Long> targetUids = new ArrayList<>();
            List<MessageMeta> added = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
                for (int i = 0; i < rows.size(); i++) {
                    long[] r = rows.get(i);
                    Flags f = Flags.fromColumns((int) r[4], (int) r[5], (int) r[6], (int) r[7], (int) r[8],
                            keywords.get(i));
                    long uid = firstUid + i;
                    bindMessage(ps, dst.id(), uid, dst.highestModSeq(), r[2], r[1], r[3], f, keywords.get(i));
                    ps.addBatch();
                    sourceUids.add(r[0]);
                    targetUids.add(uid);
                    added.add(new MessageMeta(uid, dst.highestModSeq(), f.toSet(), r[1], Instant.ofEpochMilli(r[3])));
                }
                ps.executeBatch();
            }
            List<MailboxEvent> sourceEvents = new ArrayList<>();
            if (move) {
                removeMovedMessages(c, src, rows);
                sourceEvents.add(new MailboxEvent(owner, src.id(), src.name(), src.id(), MailboxEvent.Kind.EXPUNGED,
                        UidSet.ofUids(sourceUids.stream().mapToLong(Long::longValue).toArray()), List.of(),
                        src.highestModSeq(), null));
            }
            MailboxEvent addedEvent = new MailboxEvent(owner, dst.id(), dst.name(), dst.id(), MailboxEvent.Kind.ADDED,
                    UidSet.ofUids(targetUids.stream().mapToLong(Long::longValue).toArray()), added,
                    dst.highestModSeq(), null);
            // RFC 6851 §4.4: the new messages are announced before the old ones vanish
            announce(tx, dst.id(), addedEvent);
            if (move) {
                announce(tx, src.id(), sourceEvents.toArray(new MailboxEvent[0]));
            }
            return new CopyResult(dst.id(), sourceUids, targetUids);
        });
    }

    private static List<String> keywordsOf(Connection c, long mailboxId, List<long[]> rows) throws SQLException {
        List<String> keywords = new ArrayList<>(rows.size());
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT keywords FROM store_message WHERE mailbox_id = ? AND uid = ?")) {
            for (long[] r : rows) {
                ps.setLong(1, mailboxId);
                ps.setLong(2, r[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    keywords.add(rs.next() ? rs.getString(1) : null);
                }
            }
        }
        return keywords;
    }

    // ---- search ----------------------------------------------------------------------------

    @Override
    public UidSet search(String account, String mailbox, SearchQuery query) throws StoreException {
        SearchPlan plan = new SearchPlan(query);
        return database.transaction(tx -> {
            Connection c = tx.connection();
            MailboxRows.Row row = MailboxRows.find(c, account, mailbox);
            StringBuilder sql = new StringBuilder("SELECT m.uid, m.content_id");
            List<Object> params = new ArrayList<>();
            for (SearchPlan.Sql column : plan.predicateColumns) {
                sql.append(", CASE WHEN ").append(column.text()).append(" THEN 1 ELSE 0 END");
                params.addAll(column.params());
            }
            sql.append(" FROM store_message m JOIN store_content c ON c.id = m.content_id WHERE m.mailbox_id = ?");
            params.add(row.id());
            SearchPlan.Sql where = plan.exact != null ? plan.exact : plan.prefilter;
            if (where != null) {
                sql.append(" AND ").append(where.text());
                params.addAll(where.params());
            }
            sql.append(" ORDER BY m.uid");
            long[] uids = new long[256];
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    ContentReader reader = new ContentReader(c);
                    while (rs.next()) {
                        if (plan.matcher == null || plan.matcher.matches(reader.candidate(rs, plan.predicateColumns.size()))) {
                            if (n == uids.length) {
                                uids = java.util.Arrays.copyOf(uids, n * 2);
                            }
                            uids[n++] = rs.getLong(1);
                        }
                    }
                }
            }
            return UidSet.ofSorted(uids, n);
        });
    }

    /** Reads candidates' messages on the search's own connection. */
    private static final class ContentReader {
        private final Connection c;

        ContentReader(Connection c) {
            this.c = c;
        }

        SearchPlan.Candidate candidate(ResultSet rs, int predicates) throws SQLException {
            long uid = rs.getLong(1);
            long contentId = rs.getLong(2);
            boolean[] values = new boolean[predicates];
            for (int i = 0; i < predicates; i++) {
                values[i] = rs.getInt(3 + i) == 1;
            }
            return new SearchPlan.Candidate() {
                private MimePart structure;

                @Override
                public long uid() {
                    return uid;
                }

                @Override
                public boolean predicate(int index) {
                    return values[index];
                }

                @Override
                public boolean headerContains(String field, String lowerText) throws IOException, SQLException {
                    MimePart root = structure();
                    int length = (int) Math.min(root.bodyStart(), MessageText.MAX_HEADER);
                    try (InputStream in = raw()) {
                        return MessageText.headerContains(in.readNBytes(length), field, lowerText);
                    }
                }

                @Override
                public boolean bodyContains(String lowerText, boolean withHeader) throws IOException, SQLException {
                    try (InputStream in = raw()) {
                        return MessageText.bodyContains(in, structure(), lowerText, withHeader);
                    }
                }

                private MimePart structure() throws SQLException {
                    if (structure == null) {
                        try (PreparedStatement ps = c.prepareStatement(
                                "SELECT structure FROM store_content WHERE id = ?")) {
                            ps.setLong(1, contentId);
                            try (ResultSet r = ps.executeQuery()) {
                                r.next();
                                structure = StructureCodec.decode(r.getBytes(1));
                            }
                        }
                    }
                    return structure;
                }

                private InputStream raw() throws SQLException {
                    PreparedStatement ps = c.prepareStatement("SELECT raw FROM store_content WHERE id = ?");
                    ps.setLong(1, contentId);
                    ResultSet r = ps.executeQuery();
                    r.next();
                    InputStream in = r.getBinaryStream(1);
                    return new java.io.FilterInputStream(in) {
                        @Override
                        public void close() throws IOException {
                            super.close();
                            try {
                                r.close();
                                ps.close();
                            } catch (SQLException e) {
                                throw new IOException(e);
                            }
                        }
                    };
                }
            };
        }
    }
}
