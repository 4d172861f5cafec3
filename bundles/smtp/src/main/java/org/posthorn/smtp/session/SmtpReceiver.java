package org.posthorn.smtp.session;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.Connection;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.SessionFactory;

/**
 * What every SMTP session of one server shares: the settings in force, the services it hands
 * mail to and checks users with (any may be missing at any moment, being dynamic optional
 * references), the policies, and the AUTH failure counts. Makes one {@link SmtpSession} per
 * connection. Thread-safe.
 */
public final class SmtpReceiver implements SessionFactory {

    /** The services a session uses, as they are at the moment of asking. */
    public interface Services {
        Optional<MailQueue> queue();

        Optional<UserDirectory> users();

        /** The mailbox store, asked for local recipients' quota; without it their mail is accepted. */
        Optional<MailboxStore> store();
    }

    private final Services services;
    private final AuthThrottle throttle;
    private final PolicyChain policies;
    private final Path holdFolder;
    private final ZoneId zone;
    private volatile SmtpSettings settings;

    /**
     * @param holdFolder where messages wait while the policies read them; emptied now, since
     *                   nothing in it was accepted
     */
    public SmtpReceiver(SmtpSettings settings, Services services, AuthThrottle throttle, PolicyChain policies,
                        Path holdFolder) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.services = Objects.requireNonNull(services, "services");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.holdFolder = Objects.requireNonNull(holdFolder, "holdFolder");
        this.zone = ZoneId.systemDefault();
        HeldMessage.clear(holdFolder);
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
        return services.queue();
    }

    Optional<UserDirectory> users() {
        return services.users();
    }

    Optional<MailboxStore> store() {
        return services.store();
    }

    AuthThrottle throttle() {
        return throttle;
    }

    PolicyChain policies() {
        return policies;
    }

    Path holdFolder() {
        return holdFolder;
    }

    ZoneId zone() {
        return zone;
    }
}
