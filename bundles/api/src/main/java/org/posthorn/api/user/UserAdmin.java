package org.posthorn.api.user;

import java.io.IOException;
import java.io.Reader;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Administration of local domains, accounts and aliases (the admin shell's back end).
 * Domains are compared in canonical ASCII lower case; account local parts are
 * case-insensitive and stored in lower case, so an account's canonical name is
 * {@code local@domain} in lower case. A new account gets the standard mailboxes INBOX, Sent,
 * Drafts, Trash, Junk and Archive, all subscribed.
 *
 * <p>Thread-safe. Every method is one transaction. Passwords are hashed with the
 * {@link PasswordHasher} service; neither passwords nor hashes are logged.
 */
@ProviderType
public interface UserAdmin {

    /** Adds a local domain. */
    void addDomain(String domain) throws UserAdminException;

    /** Removes a domain with its aliases; refused ({@code NOT_EMPTY}) while it has accounts. */
    void removeDomain(String domain) throws UserAdminException;

    /** The local domains, ordered. */
    List<String> domains() throws UserAdminException;

    /**
     * Adds an account in an existing domain.
     *
     * @param password      the password, or null for an account that cannot log in (yet)
     * @param quotaBytes    byte quota, 0 for unlimited, negative for the configured default
     * @param quotaMessages message quota, 0 for unlimited, negative for the configured default
     */
    Account addUser(String address, char[] password, long quotaBytes, long quotaMessages) throws UserAdminException;

    /** Sets a new password (hashed in the preferred scheme). */
    void setPassword(String account, char[] password) throws UserAdminException;

    /** Stores an existing self-describing hash ({@code {SCHEME}...}) unchanged. */
    void setPasswordHash(String account, String hash) throws UserAdminException;

    /** Removes an account with all its mailboxes and messages, and aliases pointing at it. */
    void removeUser(String account) throws UserAdminException;

    /** The accounts of a domain (all domains if null), ordered by name. */
    List<AccountInfo> users(String domain) throws UserAdminException;

    /** One account. */
    AccountInfo user(String account) throws UserAdminException;

    /** Enables or disables an account; a disabled one cannot log in and receives no mail. */
    void setEnabled(String account, boolean enabled) throws UserAdminException;

    /** Sets the quota, 0 meaning unlimited. Lowering it below the usage only refuses new mail. */
    void setQuota(String account, long quotaBytes, long quotaMessages) throws UserAdminException;

    /**
     * Adds a target to an alias address in a local domain. A target is a local account, another
     * alias of a local domain (expanded, up to 8 levels) or an external address.
     */
    void addAlias(String address, String target) throws UserAdminException;

    /** Removes one target of an alias, or all of them if {@code target} is null. */
    void removeAlias(String address, String target) throws UserAdminException;

    /** The aliases of a domain (all domains if null), ordered by address; catch-alls excluded. */
    List<Alias> aliases(String domain) throws UserAdminException;

    /**
     * Sets the catch-all of a domain: mail for an unknown local part goes to {@code target}
     * (an account or external address); null removes it.
     */
    void setCatchAll(String domain, String target) throws UserAdminException;

    /** The catch-all target of a domain, or null. */
    String catchAll(String domain) throws UserAdminException;

    /**
     * Imports a Dovecot passwd-file: lines {@code user@domain:{SCHEME}hash:uid:gid:gecos:home:shell:extra},
     * trailing fields optional, {@code #} comments and blank lines skipped. A hash without a
     * {@code {SCHEME}} prefix is taken as {@code {CRYPT}} (Dovecot's default); an empty one
     * leaves the account without password. Existing accounts get the new hash. In the extra
     * field, {@code userdb_quota_rule=*:storage=<n>[k|M|G|T]} and {@code *:messages=<n>} set the
     * quota. A user without {@code @} belongs to the default domain.
     *
     * @param createDomains whether unknown domains are created; if false their lines are
     *                      reported as errors and skipped
     */
    ImportResult importPasswdFile(Reader passwdFile, boolean createDomains) throws UserAdminException, IOException;

    /**
     * An account as the admin sees it.
     *
     * @param name          canonical name
     * @param enabled       whether it may log in and receive mail
     * @param hasPassword   whether a password hash is set
     * @param quotaBytes    byte quota, 0 for none
     * @param quotaMessages message quota, 0 for none
     * @param usedBytes     bytes stored
     * @param usedMessages  messages stored
     */
    record AccountInfo(String name, boolean enabled, boolean hasPassword, long quotaBytes, long quotaMessages,
                       long usedBytes, long usedMessages) { }

    /** An alias address and its targets. */
    record Alias(String address, List<String> targets) {
        public Alias {
            targets = List.copyOf(targets);
        }
    }

    /**
     * The outcome of an import.
     *
     * @param added   accounts created
     * @param updated existing accounts whose hash (and quota) were replaced
     * @param errors  one text per rejected line, starting with its line number
     */
    record ImportResult(int added, int updated, List<String> errors) {
        public ImportResult {
            errors = List.copyOf(errors);
        }
    }
}
