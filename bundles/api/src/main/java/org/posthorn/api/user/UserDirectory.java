package org.posthorn.api.user;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.posthorn.api.mail.MailAddress;

/**
 * Who is local and who may log in. Used by SMTP (relay control, RCPT checks, AUTH), by the
 * queue (alias expansion) and by IMAP/POP3 (login).
 *
 * <p>Thread-safe. Methods throw {@link DirectoryUnavailableException} when the backing
 * store cannot be reached; callers answer with a temporary error, never "unknown user".
 */
@ProviderType
public interface UserDirectory {

    /**
     * Checks a password. {@code login} is the full address, or the local part alone for the
     * default domain. Returns the account only if it exists, is enabled and the password
     * matches. The implementation never logs the password and may wipe the array after use.
     */
    Optional<Account> authenticate(String login, char[] password) throws DirectoryUnavailableException;

    /** The enabled or disabled account with this canonical name or login, if it exists. */
    Optional<Account> account(String login) throws DirectoryUnavailableException;

    /** True if mail for this domain (canonical ASCII form) is delivered here. */
    boolean isLocalDomain(String domain) throws DirectoryUnavailableException;

    /**
     * Resolves a recipient in a local domain to accounts and forwards (aliases, catch-all).
     * For a domain that is not local the result is {@link Resolution#UNKNOWN}.
     */
    Resolution resolve(MailAddress recipient) throws DirectoryUnavailableException;

    /**
     * True if {@code account} may use {@code sender} as MAIL FROM when submitting: its own
     * address or an alias that reaches it.
     */
    boolean mayUseSender(Account account, MailAddress sender) throws DirectoryUnavailableException;
}
