package org.posthorn.filters;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.filters.mime.MimePart;
import org.posthorn.filters.mime.MimeScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An admin's own rules: regular expressions over header fields and body text, each with its
 * action. Every key {@code rule.<name>} of the configuration is one {@link PatternRule}; rules are
 * tried in name order and the first match decides. The body is read only when a body rule exists,
 * decoded (base64, quoted-printable, charset) from the text parts, up to {@code body.scan.limit}.
 */
@Component(configurationPid = PatternRuleFilter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=100")
@Designate(ocd = PatternRuleFilter.Config.class)
public final class PatternRuleFilter implements MessageFilter {

    static final String PID = "org.posthorn.filters.rules";
    static final String RULE_PREFIX = "rule.";
    private static final Logger LOG = LoggerFactory.getLogger(PatternRuleFilter.class);

    @ObjectClassDefinition(name = "Posthorn filter: header and body patterns",
            description = "Add rules as rule.<name> = <tag|junk|reject> <body|header:Name> <regex>")
    public @interface Config {
        @AttributeDefinition(description = "Whether the rules run")
        boolean enabled() default true;

        @AttributeDefinition(description = "Most bytes of text content read for body rules")
        long body_scan_limit() default 1024 * 1024;
    }

    private final boolean enabled;
    private final long bodyScanLimit;
    private final List<PatternRule> headerRules;
    private final List<PatternRule> bodyRules;

    @Activate
    public PatternRuleFilter(Config config, Map<String, Object> properties) {
        Map<String, PatternRule> rules = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(RULE_PREFIX)) {
                String name = key.substring(RULE_PREFIX.length());
                rules.put(name, PatternRule.parse(name, String.valueOf(value)));
            }
        });
        this.enabled = config.enabled();
        this.bodyScanLimit = config.body_scan_limit();
        this.headerRules = rules.values().stream().filter(r -> !r.testsBody()).toList();
        this.bodyRules = rules.values().stream().filter(PatternRule::testsBody).toList();
        LOG.info("{} header and {} body rules", headerRules.size(), bodyRules.size());
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) throws IOException {
        if (!enabled) {
            return FilterVerdict.CONTINUE;
        }
        for (PatternRule rule : headerRules) {
            for (String value : message.header(rule.header())) {
                if (rule.matches(value)) {
                    return matched(message, rule);
                }
            }
        }
        if (bodyRules.isEmpty()) {
            return FilterVerdict.CONTINUE;
        }
        BodyMatcher matcher = new BodyMatcher();
        try (InputStream in = message.original().openStream()) {
            new MimeScanner(bodyScanLimit).scan(in, matcher);
        }
        return matcher.matched == null ? FilterVerdict.CONTINUE : matched(message, matcher.matched);
    }

    private FilterVerdict matched(FilteredMessage message, PatternRule rule) {
        LOG.info("{}: {}: {}", message.queueId(), rule.reason(), rule.action());
        return rule.action().apply(message, rule.reason(), 550, "5.7.1");
    }

    private final class BodyMatcher implements MimeScanner.Handler {
        private PatternRule matched;

        @Override
        public void part(MimePart part) {
        }

        @Override
        public void text(MimePart part, String line) {
            for (PatternRule rule : bodyRules) {
                if (rule.matches(line)) {
                    matched = rule;
                    return;
                }
            }
        }

        @Override
        public boolean done() {
            return matched != null;
        }
    }
}
