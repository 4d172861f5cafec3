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
 * Messages larger than a limit. Off by default: the SMTP receiver already refuses oversized
 * messages before accepting them ({@code message.size.limit}), which is the better place; this
 * rule is for a lower limit inside that one, e.g. tagging big mail.
 */
@Component(configurationPid = SizeFilter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=300")
@Designate(ocd = SizeFilter.Config.class)
public final class SizeFilter implements MessageFilter {

    static final String PID = "org.posthorn.filters.size";
    private static final Logger LOG = LoggerFactory.getLogger(SizeFilter.class);

    @ObjectClassDefinition(name = "Posthorn filter: message size")
    public @interface Config {
        @AttributeDefinition(description = "Whether the rule runs")
        boolean enabled() default false;

        @AttributeDefinition(description = "Largest message in bytes that passes untouched")
        long max_size() default 25L * 1024 * 1024;

        @AttributeDefinition(description = "tag, junk or reject (a bounce, RFC 3463 5.3.4)")
        String action() default "reject";
    }

    private final boolean enabled;
    private final long maxSize;
    private final RuleAction action;

    @Activate
    public SizeFilter(Config config) {
        if (config.max_size() < 1) {
            throw new IllegalArgumentException(PID + ": max.size must be positive, not " + config.max_size());
        }
        this.enabled = config.enabled();
        this.maxSize = config.max_size();
        this.action = RuleAction.parse(config.action());
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) {
        long size = message.original().size();
        if (!enabled || size <= maxSize) {
            return FilterVerdict.CONTINUE;
        }
        LOG.info("{}: {} bytes, over the limit of {}: {}", message.queueId(), size, maxSize, action);
        return action.apply(message, "size " + size + " bytes is over the limit of " + maxSize, 552, "5.3.4");
    }
}
