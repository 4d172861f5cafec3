package org.posthorn.smtp;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.smtp.SmtpPolicy;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ListenerStatus;
import org.posthorn.net.LoginThrottle;
import org.posthorn.net.ProtocolServer;
import org.posthorn.net.ServerSettings;
import org.posthorn.smtp.session.ListenerRole;
import org.posthorn.smtp.session.PolicyChain;
import org.posthorn.smtp.session.SmtpReceiver;
import org.posthorn.smtp.session.SmtpSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP receiver: MX, submission and implicit-TLS submission listeners, configured by
 * {@code conf/org.posthorn.smtp.cfg} and started only when that configuration exists, so a
 * bare framework never opens port 25 by surprise.
 *
 * <p>The queue, the user directory and the TLS material are dynamic optional references: while
 * one is missing the listeners stay up and the affected commands answer with a temporary error
 * (451 4.3.0 without the queue or the directory, 454 4.7.0 for AUTH without the directory,
 * no STARTTLS and refused implicit-TLS connections without TLS material). The mailbox store
 * (quota at RCPT) and the DNS resolver (clients' names) are optional too: without them those
 * checks are skipped. {@link SmtpPolicy} services are tracked as they come and go.
 */
@Component(configurationPid = "org.posthorn.smtp", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = SmtpServer.Config.class)
public final class SmtpServer {

    @ObjectClassDefinition(name = "Posthorn SMTP",
            description = "SMTP receiver: MX (25), submission (587) and implicit-TLS submission (465). See docs/smtp.md.")
    public @interface Config {

        @AttributeDefinition(name = "Host name", required = false,
                description = "Name in the greeting, the EHLO reply and Received: headers. Empty: this machine's"
                        + " canonical host name.")
        String host_name() default "";

        @AttributeDefinition(name = "Bind address",
                description = "Local address every listener binds; * for all interfaces.")
        String bind_address() default ListenerSpec.ANY_HOST;

        @AttributeDefinition(name = "MX listener", description = "Mail for the local domains from anyone (port 25).")
        boolean mx_enabled() default true;

        @AttributeDefinition(name = "MX port", min = "0", max = "65535")
        int mx_port() default 25;

        @AttributeDefinition(name = "Submission listener",
                description = "Mail from your users (RFC 6409): STARTTLS, then AUTH (port 587).")
        boolean submission_enabled() default true;

        @AttributeDefinition(name = "Submission port", min = "0", max = "65535")
        int submission_port() default 587;

        @AttributeDefinition(name = "Implicit-TLS submission listener",
                description = "Mail from your users over TLS from the first byte (RFC 8314), then AUTH (port 465).")
        boolean submissions_enabled() default true;

        @AttributeDefinition(name = "Implicit-TLS submission port", min = "0", max = "65535")
        int submissions_port() default 465;

        @AttributeDefinition(name = "Maximum message size (bytes)", min = "1",
                description = "Advertised with SIZE; larger messages are refused with 552 5.3.4.")
        long max_message_size() default 50L * 1024 * 1024;

        @AttributeDefinition(name = "Maximum recipients per message", min = "1",
                description = "Further RCPT TO get 452 4.5.3, and the client sends the rest in another transaction.")
        int max_recipients() default 100;

        @AttributeDefinition(name = "Errors per session", min = "1",
                description = "Error replies (5xx) a session gets before it is closed with 421 4.7.0.")
        int max_errors() default 20;

        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default ServerSettings.DEFAULT_MAX_CONNECTIONS;

        @AttributeDefinition(name = "Maximum connections per client address", min = "1")
        int max_connections_per_address() default 20;

        @AttributeDefinition(name = "Maximum command line length (bytes)", min = "512",
                description = "Longer lines get 500 5.5.2 (RFC 5321 asks for at least 512).")
        int max_line_length() default 4096;

        @AttributeDefinition(name = "Command timeout (seconds)", min = "1",
                description = "How long to wait for the next command (RFC 5321 §4.5.3.2.7: at least 5 minutes).")
        int command_timeout_seconds() default 300;

        @AttributeDefinition(name = "Data timeout (seconds)", min = "1",
                description = "How long to wait for more message data during DATA or BDAT.")
        int data_timeout_seconds() default 300;

        @AttributeDefinition(name = "AUTH on the MX listener",
                description = "Offer AUTH on port 25 after STARTTLS, so users whose client submits there can relay.")
        boolean mx_auth() default false;

        @AttributeDefinition(name = "AUTH without TLS",
                description = "Allow AUTH before STARTTLS (passwords in clear text). Otherwise 538 5.7.11.")
        boolean auth_plaintext_allowed() default false;

        @AttributeDefinition(name = "Delay after a failed AUTH (milliseconds)", min = "0")
        int auth_failure_delay_millis() default 2000;

        @AttributeDefinition(name = "Failed AUTH per address", min = "1",
                description = "Failures from one IP address within the window after which it is refused (421 4.7.0).")
        int auth_max_failures() default 5;

        @AttributeDefinition(name = "Failed AUTH window (seconds)", min = "1")
        int auth_failure_window_seconds() default 900;

        @AttributeDefinition(name = "Reject unknown recipients",
                description = "RCPT TO an unknown user of a local domain gets 550 5.1.1 (otherwise accepted and bounced later).")
        boolean reject_unknown_recipients() default true;

        @AttributeDefinition(name = "Senders must be the user's own addresses",
                description = "An authenticated user may only use its own addresses and aliases in MAIL FROM (553 5.7.1).")
        boolean sender_must_be_own() default true;

        @AttributeDefinition(name = "VRFY", description = "Answer VRFY truthfully; otherwise 252 without looking.")
        boolean vrfy_enabled() default false;

        @AttributeDefinition(name = "Bare CR or LF in DATA or BDAT (not BINARYMIME)", options = {
            @Option(value = "reject", label = "Reject the message (550 5.6.0)"),
            @Option(value = "normalize", label = "Turn them into CR LF")})
        String bare_line_endings() default "reject";

        @AttributeDefinition(name = "Policy failure answers 451",
                description = "An SMTP policy plugin that fails: false skips it (fail-open), true answers"
                        + " 451 4.3.0 so the client retries (fail-closed).")
        boolean policy_fail_closed() default false;

        @AttributeDefinition(name = "Reverse DNS",
                description = "Look up each client's name (PTR, confirmed by its A/AAAA records) for the Received:"
                        + " header and the policies.")
        boolean reverse_dns_enabled() default true;

        @AttributeDefinition(name = "Reverse DNS timeout (milliseconds)", min = "1",
                description = "How long after the connect the name may take; later, it is unknown.")
        int reverse_dns_timeout_millis() default 2000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);
    private static final String CONFIG_FILE = "conf/org.posthorn.smtp.cfg";

    private final AtomicReference<MailQueue> queue = new AtomicReference<>();
    private final AtomicReference<UserDirectory> users = new AtomicReference<>();
    private final AtomicReference<TlsMaterial> tls = new AtomicReference<>();
    private final AtomicReference<MailboxStore> store = new AtomicReference<>();
    private final AtomicReference<DnsResolver> dns = new AtomicReference<>();
    private final PolicyChain policies = new PolicyChain();
    private volatile BundleContext context;
    /** False once deactivation began: DS then unbinds every reference, which is no news for the admin. */
    private volatile boolean active;
    private LoginThrottle throttle;
    private SmtpReceiver receiver;
    private Path holdFolder;
    private ProtocolServer server;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMailQueue(MailQueue service) {
        queue.set(service);
        LOG.info("SMTP: mail queue available; accepting mail");
    }

    void unbindMailQueue(MailQueue service) {
        if (queue.compareAndSet(service, null)) {
            reportGone("mail queue gone; answering 451 4.3.0 (try again later) until it returns");
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindUserDirectory(UserDirectory service) {
        users.set(service);
    }

    void unbindUserDirectory(UserDirectory service) {
        if (users.compareAndSet(service, null)) {
            reportGone("user directory gone; recipients and AUTH answer with temporary errors until it returns");
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTlsMaterial(TlsMaterial service) {
        tls.set(service);
    }

    void unbindTlsMaterial(TlsMaterial service) {
        if (tls.compareAndSet(service, null)) {
            reportGone("TLS material gone; STARTTLS is not offered and port-465 connections are refused until it returns");
        }
    }

    /** Only for the quota of local recipients at RCPT; without it the queue finds out at delivery. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMailboxStore(MailboxStore service) {
        store.set(service);
    }

    void unbindMailboxStore(MailboxStore service) {
        store.compareAndSet(service, null);
    }

    /** Only for clients' names; without it they are unknown. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDnsResolver(DnsResolver service) {
        dns.set(service);
    }

    void unbindDnsResolver(DnsResolver service) {
        dns.compareAndSet(service, null);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSmtpPolicy(SmtpPolicy policy, Map<String, Object> properties) {
        policies.add(policy, properties);
    }

    void updatedSmtpPolicy(SmtpPolicy policy, Map<String, Object> properties) {
        bindSmtpPolicy(policy, properties);
    }

    void unbindSmtpPolicy(SmtpPolicy policy, Map<String, Object> properties) {
        policies.remove((Long) properties.get(Constants.SERVICE_ID));
    }

    /** A service went away: worth a warning, unless this server or the whole framework is stopping. */
    private void reportGone(String consequence) {
        BundleContext bundles = context;
        boolean shuttingDown = bundles != null && bundles.getBundle(Constants.SYSTEM_BUNDLE_ID).getState() == Bundle.STOPPING;
        if (shuttingDown || !active) {
            LOG.debug("SMTP: {}", consequence);
        } else {
            LOG.warn("SMTP: {}", consequence);
        }
    }

    @Activate
    void activate(Config config, BundleContext bundleContext) {
        context = bundleContext;
        SmtpSettings settings = smtpSettings(config);
        throttle = new LoginThrottle(config.auth_max_failures(), Duration.ofSeconds(config.auth_failure_window_seconds()));
        holdFolder = holdFolder(bundleContext);
        receiver = new SmtpReceiver(settings, new Available(), throttle, policies, holdFolder);
        server = ProtocolServer.start(serverSettings(config), receiver, () -> Optional.ofNullable(tls.get()));
        active = true;
        LOG.info("SMTP server {} started", settings.hostName());
        reportUnboundListeners();
    }

    /** The services as they are now; each may come and go at any moment. */
    private final class Available implements SmtpReceiver.Services {
        @Override
        public Optional<MailQueue> queue() {
            return Optional.ofNullable(queue.get());
        }

        @Override
        public Optional<UserDirectory> users() {
            return Optional.ofNullable(users.get());
        }

        @Override
        public Optional<MailboxStore> store() {
            return Optional.ofNullable(store.get());
        }

        @Override
        public Optional<DnsResolver> dns() {
            return Optional.ofNullable(dns.get());
        }
    }

    /** The bundle's own data area (a temporary folder outside a framework, as in tests). */
    private static Path holdFolder(BundleContext bundleContext) {
        File data = bundleContext == null ? null : bundleContext.getDataFile("held");
        try {
            return data != null ? data.toPath() : Files.createTempDirectory("posthorn-smtp-held");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Modified
    void modified(Config config) {
        receiver.update(smtpSettings(config));
        throttle.configure(config.auth_max_failures(), Duration.ofSeconds(config.auth_failure_window_seconds()));
        server.reconfigure(serverSettings(config));
        LOG.info("SMTP configuration applied");
        reportUnboundListeners();
    }

    @Deactivate
    void deactivate() {
        active = false;
        server.close();
        receiver.close();
    }

    /** Each listener's state and counters, in configuration order: mx, submission, submissions. */
    public List<ListenerStatus> listeners() {
        return server.listeners();
    }

    /** Where messages wait while the policies read them; empty between messages. */
    Path holdFolder() {
        return holdFolder;
    }

    /** The network layer logs each failure; this says in one line what it means for mail and how to retry. */
    private void reportUnboundListeners() {
        for (ListenerStatus status : server.listeners()) {
            if (!status.bound()) {
                ListenerSpec spec = status.spec();
                LOG.error("SMTP {} listener is NOT running on port {}: {}. {} Fix the cause, then save {} to retry.",
                        spec.name(), spec.port(), status.bindFailure().orElse("not bound"),
                        consequence(ListenerRole.of(spec.name())), CONFIG_FILE);
            }
        }
    }

    private static String consequence(ListenerRole role) {
        return switch (role) {
            case MX -> "Other servers cannot deliver mail here until it is.";
            case SUBMISSION -> "Users cannot send mail through port 587 until it is.";
            case SUBMISSIONS -> "Users cannot send mail through port 465 until it is.";
        };
    }

    static SmtpSettings smtpSettings(Config config) {
        String bare = config.bare_line_endings().strip().toLowerCase(Locale.ROOT);
        if (!bare.equals("reject") && !bare.equals("normalize")) {
            LOG.warn("bare.line.endings={} is neither reject nor normalize; rejecting", config.bare_line_endings());
        }
        return new SmtpSettings(hostName(config), config.max_message_size(), config.max_recipients(),
                config.max_errors(), Duration.ofMillis(config.auth_failure_delay_millis()),
                config.auth_plaintext_allowed(), config.mx_auth(), config.reject_unknown_recipients(),
                config.sender_must_be_own(), config.vrfy_enabled(), !bare.equals("normalize"),
                Duration.ofSeconds(config.command_timeout_seconds()), Duration.ofSeconds(config.data_timeout_seconds()),
                config.policy_fail_closed(), config.reverse_dns_enabled(),
                Duration.ofMillis(config.reverse_dns_timeout_millis()));
    }

    static ServerSettings serverSettings(Config config) {
        List<ListenerSpec> listeners = new ArrayList<>();
        for (ListenerRole role : ListenerRole.values()) {
            int port = switch (role) {
                case MX -> config.mx_enabled() ? config.mx_port() : -1;
                case SUBMISSION -> config.submission_enabled() ? config.submission_port() : -1;
                case SUBMISSIONS -> config.submissions_enabled() ? config.submissions_port() : -1;
            };
            if (port >= 0) {
                listeners.add(new ListenerSpec(role.listenerName(), config.bind_address(), port, role.tlsMode()));
            }
        }
        return ServerSettings.builder("smtp")
                .listeners(listeners)
                .maxConnections(config.max_connections())
                .maxConnectionsPerAddress(config.max_connections_per_address())
                .maxLineLength(config.max_line_length())
                .idleTimeout(Duration.ofSeconds(config.command_timeout_seconds()))
                .build();
    }

    private static String hostName(Config config) {
        if (!config.host_name().isBlank()) {
            return config.host_name().strip();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            LOG.warn("This machine's host name cannot be resolved ({}); using localhost. Set host.name in {}.",
                    e.getMessage(), CONFIG_FILE);
            return "localhost";
        }
    }
}
