package org.posthorn.mailauth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.smtp.SmtpPolicy;
import org.posthorn.mailauth.dkim.DkimVerifier;
import org.posthorn.mailauth.dmarc.DmarcEvaluator;
import org.posthorn.mailauth.dmarc.DmarcResult;
import org.posthorn.mailauth.dmarc.OrganizationalDomain;
import org.posthorn.mailauth.spf.SpfEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks DKIM, SPF and DMARC of mail from other servers at the end of the SMTP data, before it
 * is accepted, and adds the results as one {@code Authentication-Results} field (RFC 8601). With
 * {@code dmarc.action=enforce} a DMARC failure of a domain with {@code p=reject} is refused with
 * 550, so the sending server bounces it and Posthorn sends no backscatter; {@code p=quarantine}
 * (and p=reject with {@code dmarc.action=quarantine}) is marked {@code dis=quarantine} for the
 * {@link QuarantineFilter} to file into Junk.
 */
@Component(service = SmtpPolicy.class, configurationPid = AuthenticationPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = "service.ranking:Integer=1000")
@Designate(ocd = AuthenticationPolicy.Config.class)
public final class AuthenticationPolicy implements SmtpPolicy {

    static final String PID = "org.posthorn.mailauth.verify";
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationPolicy.class);

    /** What a DMARC failure leads to. */
    public enum DmarcAction {
        /** Only the Authentication-Results field (the default). */
        TAG,
        /** p=quarantine and p=reject: into the recipients' Junk mailbox. */
        QUARANTINE,
        /** p=quarantine: into Junk; p=reject: refused with 550 5.7.1 before acceptance. */
        ENFORCE
    }

    @ObjectClassDefinition(name = "Posthorn mail authentication checks",
            description = "DKIM, SPF and DMARC of incoming mail, written into Authentication-Results")
    public @interface Config {

        @AttributeDefinition(description = "Name of this server in Authentication-Results; empty for the host name")
        String authserv_id() default "";

        @AttributeDefinition(description = "SMTP listeners whose mail is checked (mail from other servers)")
        String[] listeners() default {"mx"};

        @AttributeDefinition(description = "TAG (only Authentication-Results), QUARANTINE (DMARC quarantine and reject"
                + " policies file into Junk) or ENFORCE (quarantine into Junk, reject refused with 550)")
        String dmarc_action() default "TAG";

        @AttributeDefinition(description = "Mailbox a quarantined message goes into")
        String quarantine_mailbox() default "Junk";

        @AttributeDefinition(description = "DKIM signatures of one message checked at most")
        int dkim_max_signatures() default 5;

        @AttributeDefinition(description = "How long the DNS look-ups of one message's checks may take together"
                + " (milliseconds); beyond, the checks not yet answered give temperror and the message is accepted")
        int dns_budget_ms() default 10_000;

        @AttributeDefinition(description = "Public suffixes beyond the built-in sample (e.g. github.io), for DMARC's organizational domain")
        String[] public_suffixes() default {};
    }

    private final MessageAuthenticator authenticator;
    private final String authservId;
    private final Set<String> listeners;
    private final DmarcAction action;

    @Activate
    public AuthenticationPolicy(Config config, @Reference DnsResolver dns) {
        this(authenticator(config, dns), authservId(config), Set.copyOf(ConfigValues.list(config.listeners())),
                action(config.dmarc_action()));
    }

    AuthenticationPolicy(MessageAuthenticator authenticator, String authservId, Set<String> listeners, DmarcAction action) {
        this.authenticator = authenticator;
        this.authservId = authservId;
        this.listeners = listeners;
        this.action = action;
        LOG.info("Mail authentication: checking DKIM, SPF and DMARC on {} as {}, DMARC action {}", listeners, authservId, action);
    }

    static MessageAuthenticator authenticator(Config config, DnsResolver dns) {
        if (config.dkim_max_signatures() < 1) {
            throw new IllegalArgumentException("dkim.max.signatures must be at least 1");
        }
        if (config.dns_budget_ms() < 1) {
            throw new IllegalArgumentException("dns.budget.ms must be positive");
        }
        OrganizationalDomain organizational = new OrganizationalDomain(Set.copyOf(ConfigValues.list(config.public_suffixes())));
        return new MessageAuthenticator(dns, Duration.ofMillis(config.dns_budget_ms()), resolver -> new MessageAuthenticator.Checks(
                new DkimVerifier(resolver, Clock.systemUTC(), config.dkim_max_signatures()), new SpfEvaluator(resolver),
                new DmarcEvaluator(resolver, organizational, RandomGenerator.getDefault())));
    }

    @Deactivate
    void stop() {
        authenticator.close();
    }

    static DmarcAction action(String text) {
        try {
            return DmarcAction.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dmarc.action must be TAG, QUARANTINE or ENFORCE, not " + text, e);
        }
    }

    static String authservId(Config config) {
        if (!config.authserv_id().isBlank()) {
            return config.authserv_id().strip();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The name this server writes into Authentication-Results; {@link QuarantineFilter} trusts only it. */
    String authservId() {
        return authservId;
    }

    @Override
    public boolean appliesTo(SessionFacts session) {
        return session.authenticatedUser() == null && listeners.contains(session.listener());
    }

    @Override
    public PolicyVerdict message(SessionFacts session, List<MailAddress> recipients, MessageSource message) throws Exception {
        Evaluation evaluation = authenticator.evaluate(session.clientAddress(), session.heloName(), session.sender(), message);
        DmarcResult dmarc = evaluation.dmarc();
        if (dmarc.result() == DmarcResult.Result.FAIL && dmarc.disposition() == DmarcResult.Policy.REJECT
                && action == DmarcAction.ENFORCE) {
            LOG.info("Refused mail from {} for {}: DMARC policy of {} is reject and neither SPF nor DKIM aligned ({})",
                    session.clientAddress().getHostAddress(), recipients, dmarc.fromDomain(), evaluation.authenticationResults(authservId));
            return PolicyVerdict.reject(550, "5.7.1", "Rejected by the DMARC policy of " + dmarc.fromDomain());
        }
        // dis= says what this server does with the message, which QuarantineFilter acts on
        DmarcResult.Policy disposition = switch (action) {
            case TAG -> DmarcResult.Policy.NONE;
            case QUARANTINE, ENFORCE -> dmarc.disposition() == DmarcResult.Policy.NONE ? DmarcResult.Policy.NONE : DmarcResult.Policy.QUARANTINE;
        };
        String results = evaluation.withDisposition(disposition).authenticationResults(authservId);
        return PolicyVerdict.accept(List.of(new HeaderField("Authentication-Results", results)));
    }
}
