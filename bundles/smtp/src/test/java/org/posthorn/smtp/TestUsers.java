package org.posthorn.smtp;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserDirectory;

/**
 * A user directory for the tests: local domains {@code example.org} and {@code example.net};
 * users alice (password {@code alice-secret}, alias {@code sales@example.org}), bob
 * ({@code bob-secret}) and the UTF-8 user {@code jörg@example.org} ({@code jörg-secret}).
 */
final class TestUsers implements UserDirectory {

    static final String ALICE = "alice@example.org";
    static final String ALICE_PASSWORD = "alice-secret";
    static final String BOB = "bob@example.org";

    private static final Set<String> DOMAINS = Set.of("example.org", "example.net");
    private static final Map<String, String> PASSWORDS = Map.of(
            ALICE, ALICE_PASSWORD, BOB, "bob-secret", "jörg@example.org", "jörg-secret");
    private static final Map<String, String> ALIASES = Map.of("sales@example.org", ALICE);

    /** Set to make every call fail as if the database were down. */
    final AtomicBoolean unavailable = new AtomicBoolean();

    @Override
    public Optional<Account> authenticate(String login, char[] password) throws DirectoryUnavailableException {
        check();
        String name = canonical(login);
        return PASSWORDS.containsKey(name) && PASSWORDS.get(name).equals(new String(password))
                ? Optional.of(new Account(name, true)) : Optional.empty();
    }

    @Override
    public Optional<Account> account(String login) throws DirectoryUnavailableException {
        check();
        String name = canonical(login);
        return PASSWORDS.containsKey(name) ? Optional.of(new Account(name, true)) : Optional.empty();
    }

    @Override
    public boolean isLocalDomain(String domain) throws DirectoryUnavailableException {
        check();
        return DOMAINS.contains(domain);
    }

    @Override
    public Resolution resolve(MailAddress recipient) throws DirectoryUnavailableException {
        check();
        String name = canonical(recipient.toString());
        if (PASSWORDS.containsKey(name)) {
            return new Resolution(List.of(name), List.of());
        }
        if (ALIASES.containsKey(name)) {
            return new Resolution(List.of(ALIASES.get(name)), List.of());
        }
        return name.startsWith("postmaster@") ? new Resolution(List.of(ALICE), List.of()) : Resolution.UNKNOWN;
    }

    @Override
    public boolean mayUseSender(Account account, MailAddress sender) throws DirectoryUnavailableException {
        check();
        String name = canonical(sender.toString());
        return name.equals(account.name()) || account.name().equals(ALIASES.get(name));
    }

    private void check() throws DirectoryUnavailableException {
        if (unavailable.get()) {
            throw new DirectoryUnavailableException("test directory is down", null);
        }
    }

    private static String canonical(String login) {
        return (login.contains("@") ? login : login + "@example.org").toLowerCase(Locale.ROOT);
    }
}
