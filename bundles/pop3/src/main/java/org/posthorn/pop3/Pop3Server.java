package org.posthorn.pop3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ListenerStatus;
import org.posthorn.net.ProtocolServer;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;
import org.posthorn.pop3.session.DeleteAction;
import org.posthorn.pop3.session.Pop3Settings;
import org.posthorn.pop3.session.PostOffice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POP3 server: port 110 (STLS) and port 995 (implicit TLS), configured by
 * {@code conf/org.posthorn.pop3.cfg} and started only when that configuration exists.
 *
 * <p>The mailbox store, the user directory and the TLS material are dynamic optional
 * references: while one is missing the listeners stay up; logins and commands that need it
 * answer {@code -ERR [SYS/TEMP]}, and without TLS material STLS is not offered and port-995
 * connections are refused. Stopping the component closes every connection with a
 * {@code -ERR} goodbye and applies no pending deletion.
 */
@Component(configurationPid = Pop3Server.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = Pop3Server.Config.class)
public final class Pop3Server {

    static final String PID = "org.posthorn.pop3";

    @ObjectClassDefinition(name = "Posthorn POP3",
            description = "POP3 server: port 110 with STLS and port 995 with implicit TLS. See docs/pop3.md.")
    public @interface Config {

        @AttributeDefinition(name = "Bind address", description = "Local address both listeners bind; * for all.")
        String bind_address() default ListenerSpec.ANY_HOST;

        @AttributeDefinition(name = "POP3 listener", description = "Plain POP3 with STLS (port 110).")
        boolean pop3_enabled() default true;

        @AttributeDefinition(name = "POP3 port", min = "0", max = "65535")
        int pop3_port() default 110;

        @AttributeDefinition(name = "POP3S listener", description = "POP3 over TLS from the first byte (port 995).")
        boolean pop3s_enabled() default true;

        @AttributeDefinition(name = "POP3S port", min = "0", max = "65535")
        int pop3s_port() default 995;

        @AttributeDefinition(name = "Login without TLS",
                description = "Accept USER/PASS and AUTH PLAIN before STLS (passwords in clear text).")
        boolean auth_plaintext_allowed() default false;

        @AttributeDefinition(name = "Delay after a failed login (milliseconds)", min = "0")
        int auth_failure_delay_millis() default 2000;

        @AttributeDefinition(name = "Failed logins per address", min = "1",
                description = "Failures from one IP address within the window after which its logins are refused.")
        int auth_max_failures() default 5;

        @AttributeDefinition(name = "Failed login window (seconds)", min = "1")
        int auth_failure_window_seconds() default 900;

        @AttributeDefinition(name = "DELE", description = "What QUIT does with the messages a client deleted.",
                options = {
                    @Option(value = "expunge", label = "Remove them (RFC 1939)"),
                    @Option(value = "trash", label = "Move them to the Trash mailbox")})
        String dele_action() default "expunge";

        @AttributeDefinition(name = "LOGIN-DELAY (seconds)", min = "-1",
                description = "Minimum time between two logins of one user, advertised (RFC 2449) and enforced;"
                        + " -1: neither.")
        int login_delay_seconds() default -1;

        @AttributeDefinition(name = "EXPIRE", required = false,
                description = "Retention to advertise (RFC 2449): NEVER or a number of days; empty: not advertised."
                        + " Posthorn does not delete old mail itself.")
        String expire() default "";

        @AttributeDefinition(name = "Errors per session", min = "1",
                description = "Error replies a session gets before it is closed.")
        int max_errors() default 20;

        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default ServerSettings.DEFAULT_MAX_CONNECTIONS;

        @AttributeDefinition(name = "Maximum connections per client address", min = "1")
        int max_connections_per_address() default 20;

        @AttributeDefinition(name = "Maximum command line length (bytes)", min = "255",
                description = "Longer lines get -ERR (RFC 2449 §4 allows 255 octets).")
        int max_line_length() default 1024;

        @AttributeDefinition(name = "Idle timeout (seconds)", min = "600",
                description = "Autologout after this long without a command (RFC 1939 §3: at least 10 minutes).")
        int idle_timeout_seconds() default 600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Server.class);
    private static final String CONFIG_FILE = "conf/" + PID + ".cfg";

    private final AtomicReference<MailboxStore> store = new AtomicReference<>();
    private final AtomicReference<UserDirectory> users = new AtomicReference<>();
    private final AtomicReference<TlsMaterial> tls = new AtomicReference<>();
    private volatile BundleContext context;
    /** False once deactivation began: DS then unbinds every reference, which is no news for the admin. */
    private volatile boolean active;
    private PostOffice office;
    private ProtocolServer server;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMailboxStore(MailboxStore service) {
        store.set(service);
    }

    void unbindMailboxStore(MailboxStore service) {
        forget(store, service, "mailbox store gone; answering -ERR [SYS/TEMP] until it returns");
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindUserDirectory(UserDirectory service) {
        users.set(service);
    }

    void unbindUserDirectory(UserDirectory service) {
        forget(users, service, "user directory gone; logins answer -ERR [SYS/TEMP] until it returns");
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTlsMaterial(TlsMaterial service) {
        tls.set(service);
    }

    void unbindTlsMaterial(TlsMaterial service) {
        forget(tls, service, "TLS material gone; STLS is not offered and POP3S connections are refused until it returns");
    }

    /**
     * Drops {@code service} unless a replacement was bound already (greedy dynamic references bind
     * first). Worth a warning, unless this server or the whole framework is stopping.
     */
    private <T> void forget(AtomicReference<T> reference, T service, String consequence) {
        if (reference.compareAndSet(service, null)) {
            BundleContext bundles = context;
            if (!active || bundles != null && bundles.getBundle(Constants.SYSTEM_BUNDLE_ID).getState() == Bundle.STOPPING) {
                LOG.debug("POP3: {}", consequence);
            } else {
                LOG.warn("POP3: {}", consequence);
            }
        }
    }

    @Activate
    void activate(Config config, BundleContext bundleContext) {
        context = bundleContext;
        office = new PostOffice(settings(config), () -> Optional.ofNullable(store.get()),
                () -> Optional.ofNullable(users.get()), config.auth_max_failures(),
                Duration.ofSeconds(config.auth_failure_window_seconds()));
        server = ProtocolServer.start(serverSettings(config), office, () -> Optional.ofNullable(tls.get()));
        active = true;
        LOG.info("POP3 server started");
        reportUnboundListeners();
    }

    @Modified
    void modified(Config config) {
        office.update(settings(config), config.auth_max_failures(),
                Duration.ofSeconds(config.auth_failure_window_seconds()));
        server.reconfigure(serverSettings(config));
        LOG.info("POP3 configuration applied");
        reportUnboundListeners();
    }

    @Deactivate
    void deactivate() {
        active = false;
        server.close();
        LOG.info("POP3 server stopped");
    }

    /** Each listener's state and counters: pop3, then pop3s (those enabled). */
    public List<ListenerStatus> listeners() {
        return server.listeners();
    }

    private void reportUnboundListeners() {
        for (ListenerStatus status : server.listeners()) {
            if (!status.bound()) {
                LOG.error("POP3 {} listener is NOT running on port {}: {}. Fix the cause, then save {} to retry.",
                        status.spec().name(), status.spec().port(), status.bindFailure().orElse("not bound"),
                        CONFIG_FILE);
            }
        }
    }

    static Pop3Settings settings(Config config) {
        DeleteAction action = switch (config.dele_action().strip().toLowerCase(Locale.ROOT)) {
            case "trash" -> DeleteAction.TRASH;
            case "expunge" -> DeleteAction.EXPUNGE;
            default -> {
                LOG.warn("dele.action={} is neither expunge nor trash; expunging", config.dele_action());
                yield DeleteAction.EXPUNGE;
            }
        };
        String expire = config.expire() == null ? "" : config.expire().strip().toUpperCase(Locale.ROOT);
        if (!expire.isEmpty() && !expire.equals("NEVER") && !expire.matches("[1-9][0-9]{0,8}")) {
            LOG.warn("expire={} is neither NEVER nor a positive number of days; not advertised", config.expire());
            expire = "";
        }
        return new Pop3Settings(config.auth_plaintext_allowed(), action,
                Duration.ofMillis(Math.max(0, config.auth_failure_delay_millis())), config.max_errors(),
                Math.max(-1, config.login_delay_seconds()), expire.isEmpty() ? null : expire);
    }

    static ServerSettings serverSettings(Config config) {
        List<ListenerSpec> listeners = new ArrayList<>();
        if (config.pop3_enabled()) {
            listeners.add(new ListenerSpec("pop3", config.bind_address(), config.pop3_port(), TlsMode.STARTTLS));
        }
        if (config.pop3s_enabled()) {
            listeners.add(new ListenerSpec("pop3s", config.bind_address(), config.pop3s_port(), TlsMode.IMPLICIT));
        }
        return ServerSettings.builder("pop3")
                .listeners(listeners)
                .maxConnections(config.max_connections())
                .maxConnectionsPerAddress(config.max_connections_per_address())
                .maxLineLength(config.max_line_length())
                .idleTimeout(Duration.ofSeconds(config.idle_timeout_seconds()))
                .build();
    }
}
