package org.posthorn.queue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.posthorn.api.db.SchemaMigrator;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.queue.dispatch.Durations;
import org.posthorn.queue.dispatch.QueueSettings;
import org.posthorn.queue.dispatch.RetrySchedule;
import org.posthorn.queue.filter.FilterChain;
import org.posthorn.queue.remote.RemoteDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue in OSGi. It registers {@link MailQueue} (and {@link QueueAdmin}) itself, and only
 * once the schema is migrated, the spool checked and the dispatcher running; it unregisters
 * them first thing when it stops. So while the queue cannot keep a message, there is no
 * MailQueue service and SMTP answers 451.
 *
 * <p>The mailbox store, the user directory and remote delivery are optional and dynamic: while
 * one is missing, the recipients that need it wait (no bounce), and when it returns they are
 * tried at once. Message filters join and leave the chain at any time.
 */
@Component(service = {}, immediate = true, configurationPid = "org.posthorn.queue",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = QueueComponent.Config.class)
public final class QueueComponent {

    @ObjectClassDefinition(name = "Posthorn queue",
            description = "The durable mail queue: spool, delivery, retries and bounces")
    public @interface Config {
        @AttributeDefinition(description = "Delivery threads of this node")
        int workers() default 16;

        @AttributeDefinition(description = "This server's name in bounces (Reporting-MTA, MAILER-DAEMON@);"
                + " empty: the machine's host name")
        String host_name() default "";

        @AttributeDefinition(description = "This node's name in leases; unique among nodes sharing one database;"
                + " empty: the host name")
        String node_name() default "";

        @AttributeDefinition(description = "Spool folder for message files; relative paths are under the data"
                + " directory (framework property posthorn.data). Nodes sharing a database must share it")
        String spool_directory() default "spool";

        @AttributeDefinition(description = "Waits after the 1st, 2nd, ... failed attempt; the last repeats (s, m, h, d)")
        String retry_schedule() default "5m,10m,30m,1h,2h,4h";

        @AttributeDefinition(description = "How long after arrival a message is retried before it bounces")
        String max_lifetime() default "5d";

        @AttributeDefinition(description = "Warn the sender (DSN Action: delayed) once a recipient has waited this"
                + " long; 0 turns warnings off")
        String delay_warning() default "4h";

        @AttributeDefinition(description = "How long a recipient whose mailbox is full is retried before it bounces")
        String quota_grace() default "1d";

        @AttributeDefinition(description = "Retry interval while the mailbox store, user directory or remote"
                + " delivery is unavailable (such waits never bounce)")
        String unavailable_retry() default "1m";

        @AttributeDefinition(description = "How often the dispatcher looks for retries that fell due")
        String scan_interval() default "30s";

        @AttributeDefinition(description = "How long a dispatcher's claim on an entry lasts (renewed before each"
                + " delivery); after a crash, the entries it held wait this long")
        String lease_duration() default "10m";

        @AttributeDefinition(description = "What a filter that throws does: open skips the filter, closed defers"
                + " the message", options = {@Option(value = "open", label = "skip the filter"),
                @Option(value = "closed", label = "defer the message")})
        String filter_failure() default "open";

        @AttributeDefinition(description = "Bounces return the whole message up to this size in bytes, larger"
                + " ones only its header")
        long bounce_full_message_limit() default 1024 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(QueueComponent.class);

    private final FilterChain filters = new FilterChain();
    private volatile MailboxStore store;
    private volatile UserDirectory users;
    private volatile RemoteDelivery remote;
    private volatile QueueEngine engine;
    private ServiceRegistration<MailQueue> queueRegistration;
    private ServiceRegistration<QueueAdmin> adminRegistration;

    @Reference(target = "(dataSourceName=posthorn)")
    private DataSource dataSource;

    @Reference
    private SchemaMigrator migrator;

    @Activate
    void activate(Config config, BundleContext context) throws Exception {
        migrator.migrate("org.posthorn.queue", getClass().getClassLoader(), "db/queue");
        String host = config.host_name().isBlank() ? localHostName() : config.host_name();
        String node = config.node_name().isBlank() ? host : config.node_name();
        QueueEngine started = new QueueEngine(dataSource, spoolDirectory(context.getProperty("posthorn.data"),
                config.spool_directory()), settings(config, host), Clock.systemUTC(), node, () -> store, () -> users,
                () -> remote, filters);
        try {
            started.start();
        } catch (Exception e) {
            started.close();
            throw e;
        }
        engine = started;
        adminRegistration = context.registerService(QueueAdmin.class, started.admin(), null);
        queueRegistration = context.registerService(MailQueue.class, started.mailQueue(), null);
    }

    @Deactivate
    void deactivate() {
        // First stop taking mail (SMTP now answers 451), then finish what was handed over.
        unregister(queueRegistration);
        unregister(adminRegistration);
        QueueEngine stopping = engine;
        engine = null;
        if (stopping != null) {
            stopping.close();
        }
    }

    static QueueSettings settings(Config config, String host) {
        return new QueueSettings(config.workers(), host,
                new RetrySchedule(Durations.parseList(config.retry_schedule()), Durations.parse(config.max_lifetime())),
                Durations.parse(config.delay_warning()), Durations.parse(config.quota_grace()),
                Durations.parse(config.unavailable_retry()), Durations.parse(config.scan_interval()),
                Durations.parse(config.lease_duration()), parseFailClosed(config.filter_failure()),
                config.bounce_full_message_limit());
    }

    private static boolean parseFailClosed(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "open" -> false;
            case "closed" -> true;
            default -> throw new IllegalArgumentException("filter.failure must be open or closed, not " + value);
        };
    }

    static Path spoolDirectory(String dataDirectory, String configured) {
        Path path = Path.of(configured);
        if (path.isAbsolute()) {
            return path;
        }
        return Path.of(dataDirectory == null || dataDirectory.isBlank() ? "data" : dataDirectory).resolve(path);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            LOG.warn("Cannot find this machine's host name ({}); set host.name in org.posthorn.queue.cfg", e.getMessage());
            return "localhost";
        }
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already unregistered because the bundle is stopping
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(MailboxStore service) {
        store = service;
        serviceReturned();
    }

    void unbindStore(MailboxStore service) {
        if (store == service) {
            store = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindUsers(UserDirectory service) {
        users = service;
        serviceReturned();
    }

    void unbindUsers(UserDirectory service) {
        if (users == service) {
            users = null;
        }
    }

    /**
     * Remote delivery, registered by {@link org.posthorn.queue.remote.RemoteDeliveryComponent} in
     * this bundle; while it is away (reconfiguring), remote recipients wait.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRemote(RemoteDelivery service) {
        remote = service;
        serviceReturned();
    }

    void unbindRemote(RemoteDelivery service) {
        if (remote == service) {
            remote = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindFilter(MessageFilter filter, Map<String, Object> properties) {
        filters.add(filter, properties);
    }

    void updatedFilter(MessageFilter filter, Map<String, Object> properties) {
        bindFilter(filter, properties);
    }

    void unbindFilter(MessageFilter filter, Map<String, Object> properties) {
        filters.remove((Long) properties.get(Constants.SERVICE_ID));
    }

    private void serviceReturned() {
        QueueEngine current = engine;
        if (current != null) {
            current.serviceReturned();
        }
    }
}
