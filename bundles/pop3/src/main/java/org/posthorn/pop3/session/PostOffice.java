package org.posthorn.pop3.session;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.Connection;
import org.posthorn.net.LoginThrottle;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.SessionFactory;

/**
 * What all POP3 sessions of one server share: the mailbox store and the user directory (either
 * may be missing for a while; sessions then answer {@code -ERR [SYS/TEMP]}), the settings, the
 * maildrop locks and the login throttle. Makes a {@link Pop3Session} per connection.
 * Thread-safe.
 */
public final class PostOffice implements SessionFactory {

    private final Supplier<Optional<MailboxStore>> store;
    private final Supplier<Optional<UserDirectory>> users;
    private final MaildropLocks locks = new MaildropLocks();
    private final LoginThrottle throttle;
    private volatile Pop3Settings settings;

    /**
     * @param maxFailures  failed logins from one address within {@code window} after which it is refused
     */
    public PostOffice(Pop3Settings settings, Supplier<Optional<MailboxStore>> store,
                      Supplier<Optional<UserDirectory>> users, int maxFailures, Duration window) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = store;
        this.users = users;
        this.throttle = new LoginThrottle(maxFailures, window);
    }

    /** New settings for commands from now on; open sessions keep their maildrops. */
    public void update(Pop3Settings newSettings, int maxFailures, Duration window) {
        settings = Objects.requireNonNull(newSettings, "settings");
        throttle.configure(maxFailures, window);
    }

    @Override
    public ProtocolSession create(Connection connection) {
        return new Pop3Session(connection, this);
    }

    Pop3Settings settings() {
        return settings;
    }

    Optional<MailboxStore> store() {
        return store.get();
    }

    Optional<UserDirectory> users() {
        return users.get();
    }

    MaildropLocks locks() {
        return locks;
    }

    LoginThrottle throttle() {
        return throttle;
    }
}
