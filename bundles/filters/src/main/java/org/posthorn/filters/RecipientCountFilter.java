package org.posthorn.filters;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.MessageFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages with many recipients: envelope recipients (a compromised account blasting from
 * submission), or addresses in To and Cc (a typical spam shape). Off by default; the SMTP
 * receiver's own per-transaction limit still applies.
 */
@Component(configurationPid = RecipientCountFilter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=290")
@Designate(ocd = RecipientCountFilter.Config.class)
public final class RecipientCountFilter implements MessageFilter {

    static final String PID = "org.posthorn.filters.recipients";
    private static final Logger LOG = LoggerFactory.getLogger(RecipientCountFilter.class);

    @ObjectClassDefinition(name = "Posthorn filter: recipient count")
    public @interface Config {
        @AttributeDefinition(description = "Whether the rule runs")
        boolean enabled() default false;

        @AttributeDefinition(description = "Most envelope recipients a message may have; 0 for no limit")
        int max_recipients() default 100;

        @AttributeDefinition(description = "Most addresses To and Cc together may name; 0 for no limit")
        int max_header_recipients() default 50;

        @AttributeDefinition(description = "tag, junk or reject (a bounce, RFC 3463 5.5.3)")
        String action() default "tag";
    }

    private final boolean enabled;
    private final int maxRecipients;
    private final int maxHeaderRecipients;
    private final RuleAction action;

    @Activate
    public RecipientCountFilter(Config config) {
        if (config.max_recipients() < 0 || config.max_header_recipients() < 0) {
            throw new IllegalArgumentException(PID + ": limits must not be negative");
        }
        this.enabled = config.enabled();
        this.maxRecipients = config.max_recipients();
        this.maxHeaderRecipients = config.max_header_recipients();
        this.action = RuleAction.parse(config.action());
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) {
        if (!enabled) {
            return FilterVerdict.CONTINUE;
        }
        int envelope = message.envelope().recipients().size();
        if (maxRecipients > 0 && envelope > maxRecipients) {
            return matched(message, envelope + " envelope recipients, more than " + maxRecipients);
        }
        int named = 0;
        for (String field : new String[] {"To", "Cc"}) {
            for (String value : message.header(field)) {
                named += countAddresses(value);
            }
        }
        if (maxHeaderRecipients > 0 && named > maxHeaderRecipients) {
            return matched(message, named + " addresses in To and Cc, more than " + maxHeaderRecipients);
        }
        return FilterVerdict.CONTINUE;
    }

    private FilterVerdict matched(FilteredMessage message, String reason) {
        LOG.info("{}: {}: {}", message.queueId(), reason, action);
        return action.apply(message, reason, 550, "5.5.3");
    }

    /** The number of {@code @} in an address list outside quoted strings and comments (RFC 5322 §3.4). */
    static int countAddresses(String addressList) {
        int count = 0;
        boolean quoted = false;
        int comment = 0;
        for (int i = 0; i < addressList.length(); i++) {
            char c = addressList.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quoted) {
                quoted = c != '"';
            } else if (c == '(') {
                comment++;
            } else if (c == ')' && comment > 0) {
                comment--;
            } else if (comment == 0) {
                if (c == '"') {
                    quoted = true;
                } else if (c == '@') {
                    count++;
                }
            }
        }
        return count;
    }
}
