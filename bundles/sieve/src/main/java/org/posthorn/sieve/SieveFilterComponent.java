package org.posthorn.sieve;

import java.time.Clock;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicReference;

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
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.sieve.filter.SieveFilter;
import org.posthorn.sieve.filter.VacationResponder;
import org.posthorn.sieve.store.ScriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the users' active Sieve scripts on every message the queue delivers, as a
 * {@link MessageFilter} registered once the schema is migrated. Runs on built-in defaults when
 * {@code conf/org.posthorn.sieve.cfg} is absent: without scripts it changes nothing.
 */
@Component(configurationPid = SieveFilterComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = SieveFilterComponent.Config.class)
public final class SieveFilterComponent {

    static final String PID = "org.posthorn.sieve";

    /** After other filters (spam scores, DKIM results), so scripts can test the fields those add. */
    static final int RANKING = -1000;

    @ObjectClassDefinition(name = "Posthorn Sieve", description = "Runs each user's active Sieve script at delivery."
            + " See docs/sieve.md.")
    public @interface Config {

        @AttributeDefinition(name = "Body test limit (bytes)", min = "1024",
                description = "How much of a message the body test reads; text beyond it is not searched.")
        int body_max_bytes() default 1024 * 1024;

        @AttributeDefinition(name = "Vacation: fewest days", min = "1",
                description = "Smallest :days honoured between two responses to one sender (RFC 5230 §4.1).")
        int vacation_min_days() default 1;

        @AttributeDefinition(name = "Vacation: most days", min = "1",
                description = "Largest :days honoured; longer periods are cut to this.")
        int vacation_max_days() default 30;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SieveFilterComponent.class);

    private final AtomicReference<UserDirectory> users = new AtomicReference<>();
    private final AtomicReference<MailQueue> queue = new AtomicReference<>();
    private ServiceRegistration<MessageFilter> registration;

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
    void bindMailQueue(MailQueue service) {
        queue.set(service);
    }

    void unbindMailQueue(MailQueue service) {
        queue.compareAndSet(service, null);
    }

    @Activate
    void activate(Config config, BundleContext context) {
        int minDays = Math.max(1, config.vacation_min_days());
        VacationResponder vacation = new VacationResponder(scripts, queue::get, minDays,
                Math.max(minDays, config.vacation_max_days()), Clock.systemUTC());
        SieveFilter filter = new SieveFilter(scripts, users::get, vacation, Math.max(1024, config.body_max_bytes()));
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_RANKING, RANKING);
        registration = context.registerService(MessageFilter.class, filter, properties);
        LOG.info("Sieve filter running");
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the stopping bundle
        }
    }
}
