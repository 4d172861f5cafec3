package org.posthorn.smtp.session;

import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.Connection;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.SessionFactory;

/**
 * What every SMTP session of one server shares: the settings in force, the services it hands
 * mail to and checks users with (either may be missing at any moment, being dynamic optional
 * references), and the AUTH failure counts. Makes one {@link SmtpSession} per connection.
 * Thread-safe.
 */
public final class SmtpReceiver implements SessionFactory {

    private final Supplier<Optional<MailQueue>> queue;
    private final Supplier<Optional<UserDirectory>> users;
    private final AuthThrottle throttle;
    private final ZoneId zone;
    private volatile SmtpSettings settings;

    public SmtpReceiver(SmtpSettings settings, Supplier<Optional<MailQueue>> queue,
                        Supplier<Optional<UserDirectory>> users, AuthThrottle throttle) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.users = Objects.requireNonNull(users, "users");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.zone = ZoneId.systemDefault();
    }

    /** New settings for every session from its next command on. */
    public void update(SmtpSettings next) {
        settings = Objects.requireNonNull(next, "settings");
    }

    @Override
    public ProtocolSession create(Connection connection) {
        return new SmtpSession(connection, this);
    }

    SmtpSettings settings() {
        return settings;
    }

    Optional<MailQueue> queue() {
        return queue.get();
    }

    Optional<UserDirectory> users() {
        return users.get();
    }

    AuthThrottle throttle() {
        return throttle;
    }

    ZoneId zone() {
        return zone;
    }
}
