package org.posthorn.security.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.tls.TlsMaterial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS material: PEM files the admin names (and renews: they are checked for
 * changes and swapped in without a restart), or with none configured a self-signed
 * certificate kept under {@code <posthorn.data>/tls/}.
 *
 * <p>A renewal that cannot be loaded (half-written files, a key that does not match) keeps the
 * current material, is logged once, and is retried at every check.
 *
 * <p>Immediate, so the self-signed certificate is made and unusable files are reported when the
 * bundle starts rather than at the first TLS connection, and renewals are watched from then on.
 */
@Component(service = TlsMaterial.class, configurationPid = "org.posthorn.tls",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ServerTlsMaterial.Config.class)
public final class ServerTlsMaterial implements TlsMaterial {

    @ObjectClassDefinition(name = "Posthorn TLS material",
            description = "Certificate and key for every TLS listener (STARTTLS and implicit TLS).")
    public @interface Config {

        @AttributeDefinition(name = "Certificate chain", required = false,
                description = "PEM file with the server certificate first, then the intermediates (certbot:"
                        + " fullchain.pem). Empty: a self-signed certificate kept under <posthorn.data>/tls/.")
        String certificate() default "";

        @AttributeDefinition(name = "Private key", required = false,
                description = "PEM file with the certificate's key: PKCS#1, SEC1, PKCS#8 or encrypted PKCS#8;"
                        + " RSA, EC or Ed25519 (certbot: privkey.pem). Empty: the key is in the certificate file.")
        String private_key() default "";

        /**
         * Property {@code .private.key.password}: Declarative Services copies every component
         * property into the service's properties except private ones, whose names start with a dot.
         */
        @AttributeDefinition(name = "Private key password", type = AttributeType.PASSWORD, required = false,
                description = "Password of an encrypted private key (property .private.key.password).")
        String _private_key_password() default "";

        @AttributeDefinition(name = "Host name", required = false,
                description = "Name the self-signed certificate is made for. Empty: this machine's canonical host name.")
        String host_name() default "";

        @AttributeDefinition(name = "Reload check interval (seconds)", min = "1",
                description = "How often the certificate and key files are checked for a renewal.")
        int reload_interval_seconds() default 60;

        @AttributeDefinition(name = "Protocols", description = "TLSv1.3 and/or TLSv1.2; nothing older is accepted.")
        String[] protocols() default {"TLSv1.3", "TLSv1.2"};

        @AttributeDefinition(name = "Cipher suites",
                description = "JSSE names, strongest first; suites this JVM lacks are left out.")
        String[] cipher_suites() default {
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};
    }

    static final Duration EXPIRY_WARNING = Duration.ofDays(14);
    private static final Duration EXPIRY_REMINDER_INTERVAL = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(ServerTlsMaterial.class);

    private final Path tlsDirectory;
    private final ScheduledExecutorService reloader;
    private volatile ServerContext current;

    // Guarded by this.
    private TlsPolicy policy;
    private WatchedPemFiles files;
    private ScheduledFuture<?> polling;
    private int reloadIntervalSeconds;
    private Instant nextExpiryReminder = Instant.MAX;

    @Activate
    public ServerTlsMaterial(Config config, BundleContext bundle) {
        this(config, dataDirectory(bundle));
    }

    /** With the data directory given directly: {@code <dataDirectory>/tls/} holds the self-signed material. */
    ServerTlsMaterial(Config config, Path dataDirectory) {
        tlsDirectory = dataDirectory.resolve("tls");
        reloader = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "posthorn-tls-reload");
            thread.setDaemon(true);
            return thread;
        });
        try {
            configure(config);
        } catch (KeyMaterialException | RuntimeException e) {
            reloader.shutdownNow();
            throw new IllegalStateException("No TLS material: " + e.getMessage(), e);
        }
    }

    static Path dataDirectory(BundleContext bundle) {
        String configured = bundle.getProperty("posthorn.data");
        return Path.of(configured == null || configured.isBlank() ? "data" : configured);
    }

    @Modified
    void modified(Config config) {
        try {
            configure(config);
        } catch (KeyMaterialException | RuntimeException e) {
            LOG.error("The new TLS configuration could not be applied: {}. Keeping the current certificate ({})",
                    e.getMessage(), current.material().describe());
        }
    }

    @Deactivate
    void deactivate() {
        reloader.shutdownNow();
        try {
            // A check in progress reads two small files; let it end before the bundle's classes go.
            reloader.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void configure(Config config) throws KeyMaterialException {
        TlsPolicy configured = TlsPolicy.configured(config.protocols(), config.cipher_suites());
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
        policy = configured;
        if (config.certificate().isBlank()) {
            files = null;
            install(SelfSignedCertificate.loadOrCreate(tlsDirectory, hostName(config)), "self-signed, " + tlsDirectory);
            return;
        }
        files = new WatchedPemFiles(Path.of(config.certificate().trim()),
                config.private_key().isBlank() ? null : Path.of(config.private_key().trim()),
                config._private_key_password().isEmpty() ? null : config._private_key_password().toCharArray());
        // Polling starts before the first load, so that files which cannot be loaded yet
        // (after a configuration change) are picked up once they can.
        reloadIntervalSeconds = Math.max(1, config.reload_interval_seconds());
        polling = reloader.scheduleWithFixedDelay(this::checkForChanges,
                reloadIntervalSeconds, reloadIntervalSeconds, TimeUnit.SECONDS);
        install(files.load(), files.describe());
    }

    private static String hostName(Config config) {
        if (!config.host_name().isBlank()) {
            return config.host_name().trim();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            LOG.warn("This machine's host name cannot be resolved ({}); the self-signed certificate is made for"
                    + " localhost. Configure host.name.", e.getMessage());
            return "localhost";
        }
    }

    /** Reloads the configured files if they changed; the poller calls this, tests may too. */
    synchronized void checkForChanges() {
        if (files == null) {
            return;
        }
        try {
            Optional<KeyMaterial> renewed = files.reloadIfChanged();
            if (renewed.isPresent()) {
                install(renewed.get(), files.describe());
            }
        } catch (KeyMaterialException | RuntimeException e) {
            // A runtime exception must not escape either: it would silently end the polling.
            LOG.error("Could not reload the TLS material: {}. Keeping the current certificate ({});"
                    + " trying again every {} s", e.getMessage(), current.material().describe(), reloadIntervalSeconds);
        }
        if (Instant.now().isAfter(nextExpiryReminder)) {
            warnIfExpiringSoon(current.material());
        }
    }

    private void install(KeyMaterial material, String source) throws KeyMaterialException {
        current = ServerContext.build(material, policy);
        LOG.info("TLS certificate in use ({}): {}", source, material.describe());
        warnIfExpiringSoon(material);
    }

    private void warnIfExpiringSoon(KeyMaterial material) {
        Instant now = Instant.now();
        nextExpiryReminder = now.plus(EXPIRY_REMINDER_INTERVAL);
        if (material.expiry().isBefore(now)) {
            LOG.error("The TLS certificate {} expired on {}; clients will refuse it",
                    material.leaf().getSubjectX500Principal().getName(), material.expiry());
        } else if (material.expiry().isBefore(now.plus(EXPIRY_WARNING))) {
            LOG.warn("The TLS certificate {} expires on {}, in less than {} days; renew it",
                    material.leaf().getSubjectX500Principal().getName(), material.expiry(), EXPIRY_WARNING.toDays());
        }
    }

    @Override
    public SSLContext serverContext() {
        return current.sslContext();
    }

    @Override
    public List<String> protocols() {
        return current.enabled().protocols();
    }

    @Override
    public List<String> cipherSuites() {
        return current.enabled().cipherSuites();
    }

    @Override
    public List<X509Certificate> certificateChain() {
        return current.material().chain();
    }
}
