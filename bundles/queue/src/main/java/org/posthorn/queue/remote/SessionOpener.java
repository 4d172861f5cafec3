package org.posthorn.queue.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a session ready for a mail transaction: TCP connect, greeting, EHLO (HELO when EHLO
 * is not understood), STARTTLS by the TLS policy, and AUTH at a smarthost. Thread-safe.
 */
final class SessionOpener {

    private static final Logger LOG = LoggerFactory.getLogger(SessionOpener.class);

    private final RemoteDeliveryConfig config;
    private final LocalHosts local;
    private final SSLSocketFactory anyCertificate;
    private final Supplier<SSLContext> verifyingTls;
    private final ScheduledExecutorService scheduler;

    /**
     * @param anyCertificate TLS for opportunistic encryption: accepts every certificate (RFC 7435)
     * @param verifyingTls   TLS whose trust managers check the chain, where a valid certificate is required
     */
    SessionOpener(RemoteDeliveryConfig config, LocalHosts local, SSLSocketFactory anyCertificate,
                  Supplier<SSLContext> verifyingTls, ScheduledExecutorService scheduler) {
        this.config = config;
        this.local = local;
        this.anyCertificate = anyCertificate;
        this.verifyingTls = verifyingTls;
        this.scheduler = scheduler;
    }

    /** A connection after EHLO (and TLS and AUTH as configured), ready for MAIL FROM. */
    SmtpConnection open(MailHost host, InetAddress address, int port) throws AttemptFailed {
        try {
            return open(host, address, port, true);
        } catch (OpportunisticTlsFailed e) {
            // RFC 7435: a failed opportunistic handshake must not cost the delivery; send in clear.
            LOG.info("{}: TLS handshake failed ({}), delivering without TLS", host.name(), e.getMessage());
            try {
                return open(host, address, port, false);
            } catch (OpportunisticTlsFailed impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    private SmtpConnection open(MailHost host, InetAddress address, int port, boolean tlsAllowed)
            throws AttemptFailed, OpportunisticTlsFailed {
        Smarthost smarthost = config.smarthost();
        String where = SmtpConnection.remoteHost(host, address);
        SmtpConnection c;
        try {
            c = SmtpConnection.connect(host, address, port, config.connectTimeout(), scheduler, config.dataBlockTimeout());
        } catch (IOException e) {
            throw new AttemptFailed(Verdict.deferred("4.4.1", "connect to " + where + ":" + port + " failed: "
                    + describe(e)).at(where), true);
        }
        boolean done = false;
        try {
            if (smarthost != null && smarthost.tls() == SmarthostTls.IMPLICIT) {
                upgrade(c, true);
            }
            greet(c);
            ehlo(c);
            secure(c, tlsAllowed);
            if (smarthost != null && smarthost.hasCredentials()) {
                authenticate(c, smarthost);
            }
            done = true;
            return c;
        } catch (IOException e) {
            throw new AttemptFailed(Verdict.deferred("4.4.2", "conversation with " + c.label() + " failed: "
                    + describe(e)).at(c.remoteHost()), true);
        } finally {
            if (!done) {
                c.quitAndClose();
            }
        }
    }

    private void greet(SmtpConnection c) throws IOException, AttemptFailed {
        SmtpReply greeting = c.readReply(config.greetingTimeout());
        if (greeting.code() != 220) {
            // RFC 5321 §3.1 and §5.1: a host that refuses service; another MX may take the mail.
            throw new AttemptFailed(failure(greeting, c, "greeting"), true);
        }
        checkLoop(c, greeting);
    }

    private void ehlo(SmtpConnection c) throws IOException, AttemptFailed {
        SmtpReply reply = c.command("EHLO " + config.heloName(), config.commandTimeout());
        if (reply.isPositive()) {
            checkLoop(c, reply);
            c.capabilities(ServerCapabilities.fromEhlo(reply));
            return;
        }
        if (!reply.isPermanent()) {
            throw new AttemptFailed(failure(reply, c, "EHLO"), true);
        }
        // RFC 5321 §3.2: a server that does not know EHLO gets HELO.
        SmtpReply helo = c.command("HELO " + config.heloName(), config.commandTimeout());
        if (!helo.isPositive()) {
            throw new AttemptFailed(failure(helo, c, "HELO"), true);
        }
        c.capabilities(ServerCapabilities.NONE);
    }

    /** A server greeting us with our own name is us, reached through some address we did not know (NAT). */
    private void checkLoop(SmtpConnection c, SmtpReply reply) throws AttemptFailed {
        if (config.smarthost() != null || reply.lines().isEmpty()) {
            return;
        }
        String first = reply.lines().get(0).trim().split("\\s+")[0];
        if (local.isLocalName(first)) {
            throw new AttemptFailed(Verdict.failed("5.4.6", "mail for " + c.host().name() + " loops back to myself ("
                    + c.remoteHost() + " greets as " + first + ")").at(c.remoteHost()), false);
        }
    }

    private void secure(SmtpConnection c, boolean tlsAllowed) throws IOException, AttemptFailed, OpportunisticTlsFailed {
        if (c.isTls()) {
            return;
        }
        Smarthost smarthost = config.smarthost();
        boolean required = smarthost != null ? smarthost.tls() != SmarthostTls.OPPORTUNISTIC
                : config.tlsPolicy() == TlsPolicy.REQUIRED;
        if (!c.capabilities().has("STARTTLS") || !tlsAllowed) {
            if (required) {
                throw new AttemptFailed(tlsVerdict(c, "TLS is required, but " + c.remoteHost() + " does not offer STARTTLS"), true);
            }
            return;
        }
        SmtpReply reply = c.command("STARTTLS", config.commandTimeout());
        if (reply.code() != 220) {
            if (required || reply.code() == 421) {
                throw new AttemptFailed(tlsVerdict(c, "STARTTLS refused by " + c.remoteHost() + ": " + reply), true);
            }
            return;
        }
        try {
            upgrade(c, required);
        } catch (IOException e) {
            if (!required) {
                throw new OpportunisticTlsFailed(describe(e));
            }
            throw new AttemptFailed(new Verdict(RecipientOutcome.Status.DEFERRED, 0, "4.7.5",
                    "TLS handshake with " + c.remoteHost() + " failed: " + describe(e), c.remoteHost()), true);
        }
        // RFC 3207 §4.2: forget what the server said before TLS and ask again.
        ehlo(c);
    }

    private void upgrade(SmtpConnection c, boolean required) throws IOException {
        Smarthost smarthost = config.smarthost();
        boolean verify = required && (smarthost != null ? smarthost.tlsVerify() : config.tlsVerify());
        SSLSocketFactory factory = verify ? verifyingTls.get().getSocketFactory() : anyCertificate;
        c.startTls(factory, verify, config.commandTimeout());
    }

    /** RFC 4954 AUTH at the smarthost: PLAIN if offered, else LOGIN; only over TLS. */
    private void authenticate(SmtpConnection c, Smarthost smarthost) throws IOException, AttemptFailed {
        if (!c.isTls()) {
            throw new AttemptFailed(authVerdict(c, "refusing to send credentials to " + c.remoteHost() + " without TLS"), false);
        }
        var mechanisms = c.capabilities().authMechanisms();
        SmtpReply reply;
        if (mechanisms.contains("PLAIN")) {
            String token = base64("\0" + smarthost.username() + "\0" + smarthost.password());
            c.writeSecret("AUTH PLAIN " + token, "AUTH PLAIN");
            c.flush();
            reply = c.readReply(config.commandTimeout());
            if (reply.code() == 334) {
                // A server that ignores the initial response asks again with an empty challenge.
                c.writeSecret(token, "(response)");
                c.flush();
                reply = c.readReply(config.commandTimeout());
            }
        } else if (mechanisms.contains("LOGIN")) {
            reply = c.command("AUTH LOGIN", config.commandTimeout());
            if (reply.code() == 334) {
                c.writeSecret(base64(smarthost.username()), "(user name)");
                c.flush();
                reply = c.readReply(config.commandTimeout());
            }
            if (reply.code() == 334) {
                c.writeSecret(base64(smarthost.password()), "(password)");
                c.flush();
                reply = c.readReply(config.commandTimeout());
            }
        } else {
            throw new AttemptFailed(authVerdict(c, c.remoteHost() + " offers neither AUTH PLAIN nor AUTH LOGIN"
                    + " (offered: " + mechanisms + ")"), false);
        }
        if (reply.code() != 235) {
            // Wrong credentials are an admin's problem to fix, not the sender's: defer, never bounce.
            throw new AttemptFailed(authVerdict(c, "authentication at " + c.remoteHost() + " failed: "
                    + reply.code() + " " + reply.text()), reply.code() == 421);
        }
        LOG.debug("{}: authenticated as {}", c.label(), smarthost.username());
    }

    private static Verdict failure(SmtpReply reply, SmtpConnection c, String stage) {
        Verdict v = Verdict.of(reply, c.remoteHost());
        return new Verdict(v.status(), v.replyCode(), v.enhancedCode(),
                stage + " of " + c.remoteHost() + ": " + reply.code() + " " + reply.text(), v.remoteHost());
    }

    private static Verdict tlsVerdict(SmtpConnection c, String diagnostic) {
        return new Verdict(RecipientOutcome.Status.DEFERRED, 0, "4.7.4", diagnostic, c.remoteHost());
    }

    private static Verdict authVerdict(SmtpConnection c, String diagnostic) {
        return new Verdict(RecipientOutcome.Status.DEFERRED, 0, "4.7.0", diagnostic, c.remoteHost());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An I/O failure in words for a diagnostic: timeouts say so, other failures name their type. */
    static String describe(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The handshake of opportunistic TLS failed: the caller reconnects without TLS. */
    private static final class OpportunisticTlsFailed extends Exception {
        OpportunisticTlsFailed(String message) {
            super(message, null, false, false);
        }
    }
}
