package org.posthorn.smtp.session;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.posthorn.api.dns.DnsResolver;

import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.Connection;
import org.posthorn.net.LoginThrottle;
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

        /** The DNS resolver, for the client's name; without it the name is unknown. */
        Optional<DnsResolver> dns();
    }

    /** Reverse-DNS look-ups run here so that the greeting does not wait for them. */
    private static final int LOOKUP_THREADS = 8;
    /**
     * How long a client's looked-up name (or its absence) serves its next connections: a client
     * whose reverse DNS does not answer costs the wait once, not on every connection.
     */
    private static final Duration NAME_REUSE = Duration.ofMinutes(5);
    private static final int MAX_RECENT_NAMES = 10_000;

    private record RecentLookup(CompletableFuture<String> answer, long startedNanos) { }

    private final Services services;
    private final LoginThrottle throttle;
    private final PolicyChain policies;
    private final Path holdFolder;
    private final ZoneId zone;
    private final ExecutorService lookups;
    private final Map<InetAddress, RecentLookup> recentLookups = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, RecentLookup> eldest) {
            return size() > MAX_RECENT_NAMES;
        }
    };
    private volatile SmtpSettings settings;

    /**
     * @param holdFolder where messages wait while the policies read them; emptied now, since
     *                   nothing in it was accepted
     */
    public SmtpReceiver(SmtpSettings settings, Services services, LoginThrottle throttle, PolicyChain policies,
                        Path holdFolder) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.services = Objects.requireNonNull(services, "services");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.holdFolder = Objects.requireNonNull(holdFolder, "holdFolder");
        this.zone = ZoneId.systemDefault();
        this.lookups = Executors.newFixedThreadPool(LOOKUP_THREADS, task -> {
            Thread thread = new Thread(task, "smtp-reverse-dns");
            thread.setDaemon(true);
            return thread;
        });
        HeldMessage.clear(holdFolder);
    }

    /** New settings for every session from its next command on. */
    public void update(SmtpSettings next) {
        settings = Objects.requireNonNull(next, "settings");
    }

    /** Stops the look-ups still running; sessions see their clients' names as unknown. */
    public void close() {
        lookups.shutdownNow();
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

    /** Starts looking up a connecting client's name, if configured and a resolver is there. */
    ClientName lookUpName(InetAddress client) {
        SmtpSettings current = settings;
        Optional<DnsResolver> dns = services.dns();
        if (!current.reverseDns() || dns.isEmpty()) {
            return ClientName.UNKNOWN;
        }
        CompletableFuture<String> answer;
        synchronized (recentLookups) {
            RecentLookup recent = recentLookups.get(client);
            long now = System.nanoTime();
            if (recent == null || now - recent.startedNanos() > NAME_REUSE.toNanos()) {
                recent = new RecentLookup(ClientName.start(dns.get(), client, lookups), now);
                recentLookups.put(client, recent);
            }
            answer = recent.answer();
        }
        return ClientName.awaiting(answer, current.reverseDnsTimeout());
    }

    LoginThrottle throttle() {
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
