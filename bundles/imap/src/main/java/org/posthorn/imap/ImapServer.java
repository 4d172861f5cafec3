package org.posthorn.imap;

import java.time.Duration;
import java.util.Optional;

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
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.imap.session.ImapService;
import org.posthorn.imap.session.ImapSettings;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;

/**
 * The IMAP server component. Its listeners run while the component is active; the mailbox
 * store, the user directory and the TLS material may come and go (clients get
 * {@code NO [UNAVAILABLE]} meanwhile, or no STARTTLS). Registered as a {@link MailboxListener}
 * so the store's change events reach the sessions (IDLE, EXISTS/EXPUNGE to other sessions).
 * Deactivation (bundle stop) says {@code * BYE} to every session and frees the ports.
 */
@Component(service = MailboxListener.class, immediate = true, configurationPid = "org.posthorn.imap",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ImapServer.Config.class)
public final class ImapServer implements MailboxListener {

    @ObjectClassDefinition(name = "Posthorn IMAP", description = "IMAP4rev1 server: listeners and limits.")
    public @interface Config {

        @AttributeDefinition(name = "Bind address",
                description = "Local address the listeners bind; * for every address.")
        String bind_address() default "*";

        @AttributeDefinition(name = "IMAP port", min = "-1", max = "65535",
                description = "Port for IMAP with STARTTLS (143); -1 turns the listener off.")
        int imap_port() default 143;

        @AttributeDefinition(name = "IMAPS port", min = "-1", max = "65535",
                description = "Port for IMAP over implicit TLS (993); -1 turns the listener off.")
        int imaps_port() default 993;

        @AttributeDefinition(name = "Plaintext login allowed",
                description = "Allow LOGIN and AUTHENTICATE PLAIN on connections without TLS."
                        + " Off: LOGINDISABLED until STARTTLS (RFC 9051 §6.2.3).")
        boolean plaintext_login_allowed() default false;

        @AttributeDefinition(name = "Maximum connections", min = "1")
        int max_connections() default 1000;

        @AttributeDefinition(name = "Maximum connections per client address", min = "1")
        int max_connections_per_address() default 50;

        @AttributeDefinition(name = "Idle timeout (minutes)", min = "1",
                description = "How long a client may stay silent (also while IDLE); RFC 9051 asks for at least 30.")
        int idle_timeout_minutes() default 30;

        @AttributeDefinition(name = "Login timeout (seconds)", min = "1",
                description = "How long a client that has not logged in yet may stay silent.")
        int login_timeout_seconds() default 60;

        @AttributeDefinition(name = "IDLE keep-alive (seconds)", min = "0",
                description = "How often a client in IDLE hears '* OK Still here', so NAT devices and firewalls"
                        + " keep the connection open; 0: never.")
        int idle_keepalive_seconds() default 120;

        @AttributeDefinition(name = "Maximum line length (bytes)", min = "1024",
                description = "Longest command line, literals not counted.")
        int max_line_length() default 65536;

        @AttributeDefinition(name = "Maximum command size (bytes)", min = "1024",
                description = "Most bytes of one command's lines and string literals (APPEND's message not counted).")
        long max_command_size() default 1048576;

        @AttributeDefinition(name = "Maximum message size (bytes)", min = "1",
                description = "Largest message APPEND accepts; announced as APPENDLIMIT.")
        long max_message_size() default 67108864;

        @AttributeDefinition(name = "Maximum invalid commands", min = "1",
                description = "Consecutive BAD responses after which the connection is closed.")
        int max_bad_commands() default 20;

        @AttributeDefinition(name = "Shutdown grace (seconds)", min = "0",
                description = "How long sessions get to say BYE when the server stops.")
        int shutdown_grace_seconds() default 5;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailboxStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile UserDirectory users;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TlsMaterial tls;

    private final ImapService service;

    @Activate
    public ImapServer(Config config) {
        service = new ImapService(settings(config), () -> store, () -> users, () -> Optional.ofNullable(tls));
    }

    @Modified
    void modified(Config config) {
        service.reconfigure(settings(config));
    }

    @Deactivate
    void stop() {
        service.close();
    }

    @Override
    public void changed(MailboxEvent event) {
        service.changed(event);
    }

    static ImapSettings settings(Config config) {
        ServerSettings.Builder server = ServerSettings.builder("imap")
                .maxConnections(config.max_connections())
                .maxConnectionsPerAddress(config.max_connections_per_address())
                .idleTimeout(Duration.ofMinutes(config.idle_timeout_minutes()))
                .maxLineLength(config.max_line_length())
                .shutdownGrace(Duration.ofSeconds(config.shutdown_grace_seconds()));
        if (config.imap_port() >= 0) {
            server.listener(new ListenerSpec("imap", config.bind_address(), config.imap_port(), TlsMode.STARTTLS));
        }
        if (config.imaps_port() >= 0) {
            server.listener(new ListenerSpec("imaps", config.bind_address(), config.imaps_port(), TlsMode.IMPLICIT));
        }
        return new ImapSettings(server.build(), config.plaintext_login_allowed(), config.max_command_size(),
                config.max_message_size(), config.max_bad_commands(), Duration.ofSeconds(config.login_timeout_seconds()),
                Duration.ofSeconds(config.idle_keepalive_seconds()));
    }
}
