package org.posthorn.queue.testing;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserDirectory;

/**
 * A user directory with fixed local domains: an address resolves to the account of the same
 * name if it is in {@link #accounts}, or to what {@link #aliases} says.
 */
public final class FakeDirectory implements UserDirectory {

    public final Set<String> domains = ConcurrentHashMap.newKeySet();
    public final Set<String> accounts = ConcurrentHashMap.newKeySet();
    public final Map<String, Resolution> aliases = new ConcurrentHashMap<>();
    public volatile boolean unavailable;
    /** Runs at each question, after it was decided whether this one fails: a service changing meanwhile. */
    public volatile Runnable whileAnswering = () -> { };

    public FakeDirectory(String localDomain, String... accountNames) {
        domains.add(localDomain);
        accounts.addAll(List.of(accountNames));
    }

    @Override
    public boolean isLocalDomain(String domain) throws DirectoryUnavailableException {
        check();
        return domains.contains(domain);
    }

    @Override
    public Resolution resolve(MailAddress recipient) throws DirectoryUnavailableException {
        check();
        String address = recipient.toString();
        if (aliases.containsKey(address)) {
            return aliases.get(address);
        }
        return accounts.contains(address) ? new Resolution(List.of(address), List.of()) : Resolution.UNKNOWN;
    }

    @Override
    public Optional<Account> authenticate(String login, char[] password) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Account> account(String login) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean mayUseSender(Account account, MailAddress sender) {
        throw new UnsupportedOperationException();
    }

    private void check() throws DirectoryUnavailableException {
        boolean down = unavailable;
        whileAnswering.run();
        if (down) {
            throw new DirectoryUnavailableException("directory database down", null);
        }
    }
}
