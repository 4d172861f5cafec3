package org.posthorn.store.user;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.posthorn.api.db.SchemaMigrator;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.PasswordHasher;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.api.user.UserAdminException;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.store.Database;
import org.posthorn.store.DerbyMailboxStore;
import org.posthorn.store.StoreAccess;
import org.posthorn.store.StoreConfig;
import org.posthorn.store.StoreSettings;

/**
 * {@link UserDirectory} and {@link UserAdmin} on the store's tables. Local parts and domains are
 * case-insensitive (stored lower case). A recipient resolves to the account of that name, the
 * targets of an alias of that name (expanded up to {@value #MAX_ALIAS_DEPTH} levels), both if
 * both exist; failing those, {@code local+detail} is tried as {@code local}, then the domain's
 * catch-all.
 */
@Component(service = {UserDirectory.class, UserAdmin.class}, configurationPid = "org.posthorn.store",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DerbyUserDirectory implements UserDirectory, UserAdmin {

    static final int MAX_ALIAS_DEPTH = 8;
    private static final String CATCH_ALL = "";

    private final StoreSettings settings;
    private final Database database;
    private final PasswordHasher hasher;
    private volatile String dummyHash;

    @Activate
    public DerbyUserDirectory(StoreConfig config, @Reference DataSource dataSource, @Reference SchemaMigrator migrator,
                              @Reference PasswordHasher hasher) throws SQLException {
        this(StoreAccess.settings(config), dataSource, migrator, hasher);
    }

    public DerbyUserDirectory(StoreSettings settings, DataSource dataSource, SchemaMigrator migrator,
                              PasswordHasher hasher) throws SQLException {
        migrator.migrate(DerbyMailboxStore.SCHEMA_OWNER, DerbyMailboxStore.class.getClassLoader(), "db/store");
        this.settings = settings;
        this.database = new Database(dataSource, settings.deadlockRetries());
        this.hasher = hasher;
    }

    // ---- UserDirectory ---------------------------------------------------------------------

    @Override
    public Optional<Account> authenticate(String login, char[] password) throws DirectoryUnavailableException {
        try {
            String name = loginName(login);
            Object[] row = name == null ? null : directory(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT password_hash, enabled FROM store_account WHERE name = ?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? new Object[] {rs.getString(1), rs.getInt(2) != 0} : null;
                    }
                }
            });
            String hash = row == null ? null : (String) row[0];
            if (hash == null) {
                // spend the time a real check takes, so probing for names gains nothing
                hasher.verify(password, dummyHash());
                return Optional.empty();
            }
            if (!hasher.verify(password, hash) || !(Boolean) row[1]) {
                return Optional.empty();
            }
            if (hasher.needsRehash(hash)) {
                String fresh = hasher.hash(password);
                directory(c -> update(c, "UPDATE store_account SET password_hash = ? WHERE name = ? AND password_hash = ?",
                        fresh, name, hash));
            }
            return Optional.of(new Account(name, true));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private String dummyHash() {
        String h = dummyHash;
        if (h == null) {
            h = hasher.hash("posthorn-no-such-user".toCharArray());
            dummyHash = h;
        }
        return h;
    }

    @Override
    public Optional<Account> account(String login) throws DirectoryUnavailableException {
        String name = loginName(login);
        if (name == null) {
            return Optional.empty();
        }
        return directory(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT enabled FROM store_account WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Account(name, rs.getInt(1) != 0)) : Optional.<Account>empty();
                }
            }
        });
    }

    /** The canonical account name a login means, or null if it cannot be one. */
    private String loginName(String login) {
        if (login == null || login.isBlank()) {
            return null;
        }
        String s = login.strip();
        int at = s.lastIndexOf('@');
        try {
            if (at < 0) {
                return settings.defaultDomain() == null ? null
                        : canonical(s, settings.defaultDomain());
            }
            return canonical(s.substring(0, at), s.substring(at + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String canonical(String local, String domain) {
        MailAddress a = new MailAddress(local.toLowerCase(Locale.ROOT), domain);
        return a.localPart() + "@" + a.domain();
    }

    @Override
    public boolean isLocalDomain(String domain) throws DirectoryUnavailableException {
        return directory(c -> domainId(c, domain.toLowerCase(Locale.ROOT)) != null);
    }

    @Override
    public Resolution resolve(MailAddress recipient) throws DirectoryUnavailableException {
        return directory(c -> {
            Set<String> accounts = new LinkedHashSet<>();
            Set<MailAddress> forwards = new LinkedHashSet<>();
            expand(c, recipient, true, 0, new HashSet<>(), accounts, forwards);
            return new Resolution(new ArrayList<>(accounts), new ArrayList<>(forwards));
        });
    }

    @Override
    public boolean mayUseSender(Account account, MailAddress sender) throws DirectoryUnavailableException {
        String own = account.name().toLowerCase(Locale.ROOT);
        if (canonical(sender.localPart(), sender.domain()).equals(own)) {
            return true;
        }
        // an alias that reaches the account; a catch-all does not make every address its own
        return directory(c -> {
            Set<String> accounts = new LinkedHashSet<>();
            expand(c, sender, false, 0, new HashSet<>(), accounts, new LinkedHashSet<>());
            return accounts.contains(own);
        });
    }

    private void expand(Connection c, MailAddress address, boolean catchAll, int depth, Set<String> seen,
                        Set<String> accounts, Set<MailAddress> forwards) throws SQLException {
        Integer domainId = domainId(c, address.domain());
        if (domainId == null) {
            if (depth > 0) {
                forwards.add(address);
            }
            return;
        }
        String local = address.localPart().toLowerCase(Locale.ROOT);
        if (!seen.add(local + "@" + address.domain()) || depth > MAX_ALIAS_DEPTH) {
            return;
        }
        boolean found = addLocal(c, domainId, local, address.domain(), catchAll, depth, seen, accounts, forwards);
        int plus = local.indexOf('+');
        if (!found && plus > 0) {
            found = addLocal(c, domainId, local.substring(0, plus), address.domain(), catchAll, depth, seen, accounts,
                    forwards);
        }
        if (!found && catchAll) {
            for (String target : aliasTargets(c, domainId, CATCH_ALL)) {
                expandTarget(c, target, depth, seen, accounts, forwards);
            }
        }
    }

    private boolean addLocal(Connection c, int domainId, String local, String domain, boolean catchAll, int depth,
                             Set<String> seen, Set<String> accounts, Set<MailAddress> forwards) throws SQLException {
        boolean found = false;
        String name = local + "@" + domain;
        try (PreparedStatement ps = c.prepareStatement("SELECT enabled FROM store_account WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    found = true;
                    if (rs.getInt(1) != 0) {
                        accounts.add(name);
                    }
                }
            }
        }
        List<String> targets = aliasTargets(c, domainId, local);
        for (String target : targets) {
            expandTarget(c, target, depth, seen, accounts, forwards);
        }
        return found || !targets.isEmpty();
    }

    private void expandTarget(Connection c, String target, int depth, Set<String> seen, Set<String> accounts,
                              Set<MailAddress> forwards) throws SQLException {
        MailAddress address;
        try {
            address = MailAddress.parse(target);
        } catch (IllegalArgumentException e) {
            return;
        }
        expand(c, address, false, depth + 1, seen, accounts, forwards);
    }

    private static List<String> aliasTargets(Connection c, int domainId, String local) throws SQLException {
        List<String> targets = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT target FROM store_alias WHERE domain_id = ? AND local_part = ? ORDER BY target")) {
            ps.setInt(1, domainId);
            ps.setString(2, local);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.add(rs.getString(1));
                }
            }
        }
        return targets;
    }

    private static Integer domainId(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM store_domain WHERE name = ?")) {
            ps.setString(1, domain);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T directory(Query<T> query) throws DirectoryUnavailableException {
        try {
            return database.transaction(tx -> query.run(tx.connection()));
        } catch (StoreException e) {
            throw new DirectoryUnavailableException(e.getMessage(), e);
        }
    }

    // ---- UserAdmin -------------------------------------------------------------------------

    private interface AdminWork<T> {
        T run(Connection c) throws SQLException, UserAdminException;
    }

    private <T> T admin(AdminWork<T> work) throws UserAdminException {
        try {
            return database.transaction(tx -> {
                try {
                    return work.run(tx.connection());
                } catch (UserAdminException e) {
                    throw new WrappedAdmin(e);
                }
            });
        } catch (WrappedAdmin e) {
            throw e.cause;
        } catch (StoreException e) {
            throw new UserAdminException(UserAdminException.Reason.UNAVAILABLE, e.getMessage(), e);
        }
    }

    /** Carries a {@link UserAdminException} through {@link Database#transaction}, rolling back. */
    private static final class WrappedAdmin extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient UserAdminException cause;

        WrappedAdmin(UserAdminException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    private static String domainName(String domain) throws UserAdminException {
        try {
            return new MailAddress("x", domain.strip()).domain();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UserAdminException(UserAdminException.Reason.INVALID, "invalid domain: " + domain);
        }
    }

    /** {local, domain} of an address, canonical. */
    private static String[] address(String address) throws UserAdminException {
        try {
            MailAddress a = MailAddress.parse(address.strip());
            return new String[] {a.localPart().toLowerCase(Locale.ROOT), a.domain()};
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UserAdminException(UserAdminException.Reason.INVALID, "invalid address " + address + ": "
                    + (e.getMessage() == null ? "" : e.getMessage()));
        }
    }

    private static int existingDomain(Connection c, String domain) throws SQLException, UserAdminException {
        Integer id = domainId(c, domain);
        if (id == null) {
            throw new UserAdminException(UserAdminException.Reason.NO_SUCH_DOMAIN, "no local domain " + domain);
        }
        return id;
    }

    @Override
    public void addDomain(String domain) throws UserAdminException {
        String name = domainName(domain);
        admin(c -> {
            if (domainId(c, name) != null) {
                throw new UserAdminException(UserAdminException.Reason.ALREADY_EXISTS, "domain exists: " + name);
            }
            return update(c, "INSERT INTO store_domain (name) VALUES (?)", name);
        });
    }

    @Override
    public void removeDomain(String domain) throws UserAdminException {
        String name = domainName(domain);
        admin(c -> {
            int id = existingDomain(c, name);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM store_account WHERE domain_id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new UserAdminException(UserAdminException.Reason.NOT_EMPTY, "domain has accounts: " + name);
                    }
                }
            }
            update(c, "DELETE FROM store_alias WHERE domain_id = ?", id);
            return update(c, "DELETE FROM store_domain WHERE id = ?", id);
        });
    }

    @Override
    public List<String> domains() throws UserAdminException {
        return admin(c -> strings(c, "SELECT name FROM store_domain ORDER BY name"));
    }

    @Override
    public Account addUser(String address, char[] password, long quotaBytes, long quotaMessages)
            throws UserAdminException {
        String[] a = address(address);
        String hash = password == null ? null : hasher.hash(password);
        long bytes = quotaBytes < 0 ? settings.defaultQuotaBytes() : quotaBytes;
        long messages = quotaMessages < 0 ? settings.defaultQuotaMessages() : quotaMessages;
        return admin(c -> {
            int domainId = existingDomain(c, a[1]);
            return new Account(insertAccount(c, domainId, a[0] + "@" + a[1], hash, bytes, messages), true);
        });
    }

    private static String insertAccount(Connection c, int domainId, String name, String hash, long quotaBytes,
                                        long quotaMessages) throws SQLException, UserAdminException {
        int id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO store_account (domain_id, name, password_hash,"
                + " quota_bytes, quota_messages) VALUES (?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setInt(1, domainId);
            ps.setString(2, name);
            ps.setString(3, hash);
            ps.setLong(4, quotaBytes);
            ps.setLong(5, quotaMessages);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                id = keys.getInt(1);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new UserAdminException(UserAdminException.Reason.ALREADY_EXISTS, "account exists: " + name);
            }
            throw e;
        }
        StoreAccess.createStandardMailboxes(c, id);
        return name;
    }

    @Override
    public void setPassword(String account, char[] password) throws UserAdminException {
        String hash = hasher.hash(password);
        Arrays.fill(password, '\0');
        setPasswordHash(account, hash);
    }

    @Override
    public void setPasswordHash(String account, String hash) throws UserAdminException {
        accountUpdate(account, "UPDATE store_account SET password_hash = ? WHERE name = ?", hash);
    }

    @Override
    public void removeUser(String account) throws UserAdminException {
        String name = accountName(account);
        admin(c -> {
            int id = accountId(c, name);
            StoreAccess.deleteMailboxes(c, id);
            update(c, "DELETE FROM store_alias WHERE target = ?", name);
            return update(c, "DELETE FROM store_account WHERE id = ?", id);
        });
    }

    private static String accountName(String account) throws UserAdminException {
        String[] a = address(account);
        return a[0] + "@" + a[1];
    }

    private static int accountId(Connection c, String name) throws SQLException, UserAdminException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM store_account WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new UserAdminException(UserAdminException.Reason.NO_SUCH_ACCOUNT, "no account " + name);
                }
                return rs.getInt(1);
            }
        }
    }

    @Override
    public List<AccountInfo> users(String domain) throws UserAdminException {
        String name = domain == null ? null : domainName(domain);
        return admin(c -> {
            String sql = "SELECT a.name, a.enabled, a.password_hash, a.quota_bytes, a.quota_messages, a.used_bytes,"
                    + " a.used_messages FROM store_account a JOIN store_domain d ON d.id = a.domain_id"
                    + (name == null ? "" : " WHERE d.name = ?") + " ORDER BY a.name";
            List<AccountInfo> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (name != null) {
                    existingDomain(c, name);
                    ps.setString(1, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new AccountInfo(rs.getString(1), rs.getInt(2) != 0, rs.getString(3) != null,
                                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)));
                    }
                }
            }
            return result;
        });
    }

    @Override
    public AccountInfo user(String account) throws UserAdminException {
        String name = accountName(account);
        for (AccountInfo info : users(name.substring(name.indexOf('@') + 1))) {
            if (info.name().equals(name)) {
                return info;
            }
        }
        throw new UserAdminException(UserAdminException.Reason.NO_SUCH_ACCOUNT, "no account " + name);
    }

    @Override
    public void setEnabled(String account, boolean enabled) throws UserAdminException {
        accountUpdate(account, "UPDATE store_account SET enabled = ? WHERE name = ?", enabled ? 1 : 0);
    }

    @Override
    public void setQuota(String account, long quotaBytes, long quotaMessages) throws UserAdminException {
        if (quotaBytes < 0 || quotaMessages < 0) {
            throw new UserAdminException(UserAdminException.Reason.INVALID, "a quota cannot be negative");
        }
        String name = accountName(account);
        admin(c -> {
            if (update(c, "UPDATE store_account SET quota_bytes = ?, quota_messages = ? WHERE name = ?",
                    quotaBytes, quotaMessages, name) == 0) {
                throw new UserAdminException(UserAdminException.Reason.NO_SUCH_ACCOUNT, "no account " + name);
            }
            return null;
        });
    }

    private void accountUpdate(String account, String sql, Object value) throws UserAdminException {
        String name = accountName(account);
        admin(c -> {
            if (update(c, sql, value, name) == 0) {
                throw new UserAdminException(UserAdminException.Reason.NO_SUCH_ACCOUNT, "no account " + name);
            }
            return null;
        });
    }

    @Override
    public void addAlias(String address, String target) throws UserAdminException {
        String[] a = address(address);
        String t = target(target);
        admin(c -> {
            int domainId = existingDomain(c, a[1]);
            insertAlias(c, domainId, a[0], t);
            return null;
        });
    }

    /** A target address, canonical: lower-case local part and domain. */
    private static String target(String target) throws UserAdminException {
        if (target == null) {
            throw new UserAdminException(UserAdminException.Reason.INVALID, "no target given");
        }
        String[] t = address(target);
        return new MailAddress(t[0], t[1]).toString();
    }

    private static void insertAlias(Connection c, int domainId, String local, String target)
            throws SQLException, UserAdminException {
        try {
            update(c, "INSERT INTO store_alias (domain_id, local_part, target) VALUES (?, ?, ?)", domainId, local, target);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new UserAdminException(UserAdminException.Reason.ALREADY_EXISTS, "alias exists");
            }
            throw e;
        }
    }

    @Override
    public void removeAlias(String address, String target) throws UserAdminException {
        String[] a = address(address);
        String t = target == null ? null : target(target);
        admin(c -> {
            int domainId = existingDomain(c, a[1]);
            int n = t == null ? update(c, "DELETE FROM store_alias WHERE domain_id = ? AND local_part = ?", domainId, a[0])
                    : update(c, "DELETE FROM store_alias WHERE domain_id = ? AND local_part = ? AND target = ?",
                            domainId, a[0], t);
            if (n == 0) {
                throw new UserAdminException(UserAdminException.Reason.NO_SUCH_ALIAS, "no such alias " + address);
            }
            return null;
        });
    }

    @Override
    public List<Alias> aliases(String domain) throws UserAdminException {
        String name = domain == null ? null : domainName(domain);
        return admin(c -> {
            Map<String, List<String>> grouped = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT a.local_part, d.name, a.target FROM store_alias a"
                    + " JOIN store_domain d ON d.id = a.domain_id WHERE a.local_part <> ''"
                    + (name == null ? "" : " AND d.name = ?") + " ORDER BY d.name, a.local_part, a.target")) {
                if (name != null) {
                    ps.setString(1, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        grouped.computeIfAbsent(rs.getString(1) + "@" + rs.getString(2), k -> new ArrayList<>())
                                .add(rs.getString(3));
                    }
                }
            }
            List<Alias> result = new ArrayList<>();
            grouped.forEach((address, targets) -> result.add(new Alias(address, targets)));
            return result;
        });
    }

    @Override
    public void setCatchAll(String domain, String target) throws UserAdminException {
        String name = domainName(domain);
        String t = target == null ? null : target(target);
        admin(c -> {
            int domainId = existingDomain(c, name);
            update(c, "DELETE FROM store_alias WHERE domain_id = ? AND local_part = ''", domainId);
            if (t != null) {
                insertAlias(c, domainId, CATCH_ALL, t);
            }
            return null;
        });
    }

    @Override
    public String catchAll(String domain) throws UserAdminException {
        String name = domainName(domain);
        return admin(c -> {
            List<String> targets = aliasTargets(c, existingDomain(c, name), CATCH_ALL);
            return targets.isEmpty() ? null : targets.get(0);
        });
    }

    @Override
    public ImportResult importPasswdFile(Reader passwdFile, boolean createDomains) throws UserAdminException, IOException {
        int added = 0;
        int updated = 0;
        List<String> errors = new ArrayList<>();
        BufferedReader reader = new BufferedReader(passwdFile);
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            PasswdLine entry;
            try {
                entry = PasswdLine.parse(line, settings.defaultDomain());
            } catch (IllegalArgumentException e) {
                errors.add(number + ": " + e.getMessage());
                continue;
            }
            try {
                if (importLine(entry, createDomains)) {
                    added++;
                } else {
                    updated++;
                }
            } catch (UserAdminException e) {
                if (e.reason() == UserAdminException.Reason.UNAVAILABLE) {
                    throw e;
                }
                errors.add(number + ": " + e.getMessage());
            }
        }
        return new ImportResult(added, updated, errors);
    }

    /** Creates or updates one account; true if created. */
    private boolean importLine(PasswdLine entry, boolean createDomains) throws UserAdminException {
        return admin(c -> {
            Integer domainId = domainId(c, entry.domain());
            if (domainId == null) {
                if (!createDomains) {
                    throw new UserAdminException(UserAdminException.Reason.NO_SUCH_DOMAIN,
                            "unknown domain " + entry.domain());
                }
                update(c, "INSERT INTO store_domain (name) VALUES (?)", entry.domain());
                domainId = domainId(c, entry.domain());
            }
            String name = entry.local() + "@" + entry.domain();
            long bytes = entry.quotaBytes() >= 0 ? entry.quotaBytes() : settings.defaultQuotaBytes();
            long messages = entry.quotaMessages() >= 0 ? entry.quotaMessages() : settings.defaultQuotaMessages();
            int changed = update(c, "UPDATE store_account SET password_hash = ? WHERE name = ?", entry.hash(), name);
            if (changed > 0) {
                if (entry.quotaBytes() >= 0 || entry.quotaMessages() >= 0) {
                    update(c, "UPDATE store_account SET quota_bytes = ?, quota_messages = ? WHERE name = ?",
                            bytes, messages, name);
                }
                return false;
            }
            insertAccount(c, domainId, name, entry.hash(), bytes, messages);
            return true;
        });
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        }
        return result;
    }
}
