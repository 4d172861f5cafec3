package org.posthorn.filters;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.db.SchemaMigrator;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.smtp.SmtpPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Greylisting at RCPT TO: a real mail server retries a temporary refusal, most spam software
 * does not. The first message of a client network (/24, /64), sender and recipient triplet is
 * answered {@code 451 4.7.1}; a retry after {@code delay.seconds} passes, and the triplet then
 * passes at once for {@code expiry.days} after its last use. Authenticated clients (the
 * {@link SmtpPolicy} default), whitelisted client networks, senders and recipients, and relayed
 * recipients skip it. Off by default: it delays every first message from a new correspondent,
 * password resets and login codes included, which an admin should choose knowingly.
 */
@Component(configurationPid = GreylistPolicy.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=100")
@Designate(ocd = GreylistPolicy.Config.class)
public final class GreylistPolicy implements SmtpPolicy {

    static final String PID = "org.posthorn.filters.greylist";
    static final String HEADER = "X-Posthorn-Greylist";
    private static final Logger LOG = LoggerFactory.getLogger(GreylistPolicy.class);

    @ObjectClassDefinition(name = "Posthorn greylisting")
    public @interface Config {
        @AttributeDefinition(description = "Whether greylisting runs")
        boolean enabled() default false;

        @AttributeDefinition(description = "Seconds a new triplet must wait before a retry passes")
        long delay_seconds() default 300;

        @AttributeDefinition(description = "Hours within which the retry must come; later, the wait starts anew")
        long retry_window_hours() default 48;

        @AttributeDefinition(description = "Days a triplet that passed keeps passing after its last use")
        long expiry_days() default 35;

        @AttributeDefinition(description = "Leading bits of an IPv4 client address that make its network")
        int ipv4_prefix() default 24;

        @AttributeDefinition(description = "Leading bits of an IPv6 client address that make its network")
        int ipv6_prefix() default 64;

        @AttributeDefinition(description = "Client networks never greylisted, comma-separated CIDR")
        String whitelist_clients() default "127.0.0.0/8,::1/128";

        @AttributeDefinition(description = "Senders never greylisted: addresses or domains, comma-separated")
        String whitelist_senders() default "";

        @AttributeDefinition(description = "Recipients never greylisted: addresses or domains, comma-separated")
        String whitelist_recipients() default "";
    }

    private final boolean enabled;
    private final Greylist greylist;
    private final List<Network> clients;
    private final Set<String> senders;
    private final Set<String> recipients;
    private final ScheduledExecutorService purger;

    @Activate
    public GreylistPolicy(Config config, @Reference(target = "(dataSourceName=posthorn)") DataSource dataSource,
                          @Reference SchemaMigrator migrator) throws SQLException {
        this(config, dataSource, migrator, Clock.systemUTC());
    }

    GreylistPolicy(Config config, DataSource dataSource, SchemaMigrator migrator, Clock clock) throws SQLException {
        if (config.delay_seconds() < 0 || config.retry_window_hours() < 1 || config.expiry_days() < 1
                || config.ipv4_prefix() < 0 || config.ipv4_prefix() > 32 || config.ipv6_prefix() < 0 || config.ipv6_prefix() > 128) {
            throw new IllegalArgumentException(PID + ": delay.seconds >= 0, retry.window.hours and expiry.days >= 1,"
                    + " ipv4.prefix 0-32, ipv6.prefix 0-128");
        }
        this.enabled = config.enabled();
        this.clients = CommaSeparated.lowerCase(config.whitelist_clients()).stream().map(Network::parse).toList();
        this.senders = CommaSeparated.lowerCase(config.whitelist_senders());
        this.recipients = CommaSeparated.lowerCase(config.whitelist_recipients());
        migrator.migrate("org.posthorn.filters", GreylistPolicy.class.getClassLoader(), "db/filters");
        this.greylist = new Greylist(dataSource, clock, new Greylist.Settings(Duration.ofSeconds(config.delay_seconds()),
                Duration.ofHours(config.retry_window_hours()), Duration.ofDays(config.expiry_days()),
                config.ipv4_prefix(), config.ipv6_prefix()));
        this.purger = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "posthorn-greylist-purge");
            thread.setDaemon(true);
            return thread;
        });
        if (enabled) {
            purger.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.MINUTES);
        }
    }

    @Deactivate
    void stop() {
        purger.shutdownNow();
    }

    @Override
    public boolean appliesTo(SessionFacts session) {
        return enabled && session.authenticatedUser() == null
                && clients.stream().noneMatch(n -> n.contains(session.clientAddress()));
    }

    @Override
    public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) throws SQLException {
        // relaying clients are trusted by the relay rules already; whitelists by address or domain
        if (!local || listed(senders, session.sender()) || listed(recipients, recipient)) {
            return PolicyVerdict.ACCEPT;
        }
        Greylist.Result result = greylist.check(session.clientAddress(), session.sender(), recipient);
        if (!result.passes()) {
            LOG.info("greylisted {} from {} at {}", recipient, session.sender() == null ? "<>" : session.sender(),
                    session.clientAddress().getHostAddress());
            return PolicyVerdict.tempfail(451, "4.7.1", "Greylisted, please try again later");
        }
        if (result.delayed().isZero()) {
            return PolicyVerdict.ACCEPT;
        }
        return PolicyVerdict.accept(List.of(new HeaderField(HEADER, "delayed " + result.delayed().toSeconds() + " seconds")));
    }

    /** Removes expired triplets; the hourly task, and for tests. */
    int purge() {
        try {
            int removed = greylist.purge();
            LOG.debug("removed {} expired greylisting entries", removed);
            return removed;
        } catch (SQLException e) {
            LOG.warn("could not remove expired greylisting entries", e);
            return 0;
        }
    }

    private static boolean listed(Set<String> list, MailAddress address) {
        return address != null && (list.contains(address.toString().toLowerCase(Locale.ROOT))
                || list.contains(address.domain().toLowerCase(Locale.ROOT)));
    }
}
