package org.posthorn.sieve;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

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
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ListenerStatus;
import org.posthorn.net.ProtocolServer;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;
import org.posthorn.sieve.manage.ManageSieveSession;
import org.posthorn.sieve.manage.ManageSieveSettings;
import org.posthorn.sieve.store.ScriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ManageSieve server (RFC 5804) on port 4190, configured by
 * {@code conf/org.posthorn.managesieve.cfg} and started only when that file exists. The user
 * directory and TLS material are dynamic optional references: while one is missing the listener
 * stays up, logins answer NO (TRYLATER) and STARTTLS is not offered.
 */
@Component(configurationPid = ManageSieveServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = ManageSieveServer.Config.class)
public final class ManageSieveServer {

    static final String PID = "org.posthorn.managesieve";

    @ObjectClassDefinition(name = "Posthorn ManageSieve",
            description = "ManageSieve (RFC 5804): users upload and activate their Sieve scripts. See docs/sieve.md.")
    public @interface Config {

        @AttributeDefinition(name = "Bind address", description = "Local address to listen on; * for all.")
        String bind_address() default ListenerSpec.ANY_HOST;

        @AttributeDefinition(name = "Port", min = "0", max = "65535")
        int managesieve_port() default 4190;

        @AttributeDefinition(name = "Login without TLS",
                description = "Accept AUTHENTICATE before STARTTLS (passwords in clear text).")
        boolean auth_plaintext_allowed() default false;

        @AttributeDefinition(name = "Failed logins per connection", min = "1")
        int auth_max_failures() default 3;

        @AttributeDefinition(name = "Largest script (bytes)", min = "1024")
        int max_script_size() default 256 * 1024;

        @AttributeDefinition(name = "Scripts per user", min = "1")
        int max_scripts() default 20;

        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default 200;

        @AttributeDefinition(name = "Maximum connections per client address", min = "1")
        int max_connections_per_address() default 10;

        @AttributeDefinition(name = "Maximum command line length (bytes)", min = "1024")
        int max_line_length() default 8192;

        @AttributeDefinition(name = "Idle timeout (seconds)", min = "30")
        int idle_timeout_seconds() default 600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ManageSieveServer.class);

    private final AtomicReference<UserDirectory> users = new AtomicReference<>();
    private final AtomicReference<TlsMaterial> tls = new AtomicReference<>();
    private volatile ManageSieveSettings settings;
    private ProtocolServer server;

    @Reference
    private ScriptStore scripts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindUserDirectory(UserDirectory service) {
        users.set(service);
    }

    void unbindUserDirectory(UserDirectory service) {
        users.compareAndSet(service, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTlsMaterial(TlsMaterial service) {
        tls.set(service);
    }

    void unbindTlsMaterial(TlsMaterial service) {
        tls.compareAndSet(service, null);
    }

    @Activate
    void activate(Config config) {
        settings = settings(config);
        server = ProtocolServer.start(serverSettings(config),
                connection -> new ManageSieveSession(connection, scripts, () -> Optional.ofNullable(users.get()),
                        () -> settings),
                () -> Optional.ofNullable(tls.get()));
        LOG.info("ManageSieve server started");
        reportUnboundListeners();
    }

    @Modified
    void modified(Config config) {
        settings = settings(config);
        server.reconfigure(serverSettings(config));
        LOG.info("ManageSieve configuration applied");
        reportUnboundListeners();
    }

    @Deactivate
    void deactivate() {
        server.close();
        LOG.info("ManageSieve server stopped");
    }

    /** The listener's state and counters. */
    public List<ListenerStatus> listeners() {
        return server.listeners();
    }

    private void reportUnboundListeners() {
        for (ListenerStatus status : server.listeners()) {
            if (!status.bound()) {
                LOG.error("ManageSieve listener is NOT running on port {}: {}. Fix the cause, then save conf/{}.cfg"
                        + " to retry.", status.spec().port(), status.bindFailure().orElse("not bound"), PID);
            }
        }
    }

    static ManageSieveSettings settings(Config config) {
        return new ManageSieveSettings(config.auth_plaintext_allowed(), config.max_script_size(), config.max_scripts(),
                Math.max(1, config.auth_max_failures()));
    }

    static ServerSettings serverSettings(Config config) {
        return ServerSettings.builder("managesieve")
                .listener(new ListenerSpec("managesieve", config.bind_address(), config.managesieve_port(),
                        TlsMode.STARTTLS))
                .maxConnections(config.max_connections())
                .maxConnectionsPerAddress(config.max_connections_per_address())
                .maxLineLength(config.max_line_length())
                .idleTimeout(Duration.ofSeconds(config.idle_timeout_seconds()))
                .build();
    }
}
