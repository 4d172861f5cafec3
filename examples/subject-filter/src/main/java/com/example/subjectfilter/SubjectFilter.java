package com.example.subjectfilter;

import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.MessageFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete Posthorn filter plugin: it adds a header to every message and rejects a message
 * whose Subject matches a configured regular expression (the sender gets a bounce).
 *
 * <p>Configured from {@code conf/com.example.subjectfilter.cfg}; without that file the defaults
 * apply and nothing is rejected. A saved change restarts the component with the new values.
 */
// service.ranking orders the chain (higher runs earlier); an Integer, as the framework requires.
@Component(configurationPid = SubjectFilter.PID, property = "service.ranking:Integer=100")
@Designate(ocd = SubjectFilter.Config.class)
public final class SubjectFilter implements MessageFilter {

    static final String PID = "com.example.subjectfilter";

    private static final Logger LOG = LoggerFactory.getLogger(SubjectFilter.class);

    @ObjectClassDefinition(name = "Example subject filter",
            description = "Adds a header to every message; rejects messages whose Subject matches a pattern")
    public @interface Config {
        @AttributeDefinition(description = "Name of the header added to every message that passes")
        String header_name() default "X-Example-Filter";

        @AttributeDefinition(description = "Value of that header")
        String header_value() default "checked";

        @AttributeDefinition(description = "Java regular expression; a message with a matching Subject is "
                + "rejected. Empty rejects nothing")
        String reject_subject() default "";
    }

    private final String headerName;
    private final String headerValue;
    private final Pattern rejectSubject;

    @Activate
    public SubjectFilter(Config config) {
        this.headerName = config.header_name();
        this.headerValue = config.header_value();
        // A bad pattern fails activation: Declarative Services logs the error and the filter stays out of the chain.
        this.rejectSubject = config.reject_subject().isEmpty() ? null : Pattern.compile(config.reject_subject());
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) {
        if (rejectSubject != null) {
            for (String subject : message.header("Subject")) {
                if (rejectSubject.matcher(subject).find()) {
                    LOG.info("{}: subject matches {}, rejected", message.queueId(), rejectSubject);
                    return FilterVerdict.reject(550, "5.7.1", "Message refused: its subject is not accepted here");
                }
            }
        }
        message.prependHeader(headerName, headerValue);
        return FilterVerdict.CONTINUE;
    }
}
