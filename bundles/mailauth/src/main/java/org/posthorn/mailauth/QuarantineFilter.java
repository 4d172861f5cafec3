package org.posthorn.mailauth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's half of the DMARC checks of {@link AuthenticationPolicy}, which answers before the
 * queue has the message and so can only add header fields:
 * <ul>
 * <li>RFC 8601 §5: {@code Authentication-Results} fields that claim this server's name but came
 *     from outside (below our {@code Received:}) are removed, so no one downstream trusts them;</li>
 * <li>a message our field marks {@code dmarc=fail (... dis=quarantine)} goes into each local
 *     recipient's quarantine mailbox (Junk) instead of INBOX.</li>
 * </ul>
 * It runs early in the chain ({@code service.ranking} 900) so later filters see the cleaned header.
 */
@Component(service = MessageFilter.class, configurationPid = AuthenticationPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = "service.ranking:Integer=900")
public final class QuarantineFilter implements MessageFilter {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineFilter.class);
    private static final String FIELD = "Authentication-Results";

    private final String authservId;
    private final Set<String> listeners;
    private final String mailbox;

    @Activate
    public QuarantineFilter(AuthenticationPolicy.Config config) {
        this(AuthenticationPolicy.authservId(config), Set.copyOf(ConfigValues.list(config.listeners())),
                config.quarantine_mailbox());
    }

    QuarantineFilter(String authservId, Set<String> listeners, String mailbox) {
        this.authservId = authservId;
        this.listeners = listeners;
        this.mailbox = mailbox;
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) {
        Origin origin = message.envelope().origin();
        if (origin.authenticatedUser() != null || !listeners.contains(origin.listener())) {
            return FilterVerdict.CONTINUE;
        }
        List<String> ours = new ArrayList<>();
        boolean belowReceived = false;
        boolean forged = false;
        for (HeaderField field : message.headers()) {
            if (field.name().equalsIgnoreCase("Received")) {
                belowReceived = true;
            } else if (field.name().equalsIgnoreCase(FIELD) && isOurs(field.value())) {
                if (belowReceived) {
                    forged = true;
                } else {
                    ours.add(field.value());
                }
            }
        }
        if (forged) {
            LOG.info("{}: removed Authentication-Results fields that claimed to be from {}", message.queueId(), authservId);
            message.removeHeader(FIELD);
            for (int i = ours.size() - 1; i >= 0; i--) {
                message.prependHeader(FIELD, ours.get(i));
            }
        }
        if (ours.stream().anyMatch(QuarantineFilter::quarantined)) {
            for (Recipient recipient : message.envelope().recipients()) {
                message.fileInto(recipient.address(), mailbox);
            }
            LOG.info("{}: DMARC failed with policy quarantine; local copies go into {}", message.queueId(), mailbox);
        }
        return FilterVerdict.CONTINUE;
    }

    private boolean isOurs(String value) {
        int semicolon = value.indexOf(';');
        String id = (semicolon < 0 ? value : value.substring(0, semicolon)).strip();
        // the authserv-id may be followed by a version number (RFC 8601 §2.2)
        return id.split("\\s+")[0].equalsIgnoreCase(authservId);
    }

    private static boolean quarantined(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return lower.contains("dmarc=fail (") && lower.contains(" dis=quarantine)");
    }
}
