package org.posthorn.queue.filter;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Constants;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageFilter} services, in order of service ranking (highest first, then lowest
 * service id). Filters come and go at any time; each message runs through the filters present
 * when its chain starts.
 */
public final class FilterChain {

    private static final Logger LOG = LoggerFactory.getLogger(FilterChain.class);

    private record Ranked(MessageFilter filter, int ranking, long serviceId) {
        String name() {
            return filter.getClass().getName() + "#" + serviceId;
        }
    }

    private static final Comparator<Ranked> ORDER = Comparator.comparingInt(Ranked::ranking).reversed()
            .thenComparingLong(Ranked::serviceId);

    private final Map<Long, Ranked> filters = new ConcurrentHashMap<>();

    /** Adds a filter, or changes its ranking. */
    public void add(MessageFilter filter, int ranking, long serviceId) {
        filters.put(serviceId, new Ranked(filter, ranking, serviceId));
    }

    /** Adds a filter, or changes its ranking, as its service properties say. */
    public void add(MessageFilter filter, Map<String, ?> properties) {
        long serviceId = (Long) properties.get(Constants.SERVICE_ID);
        add(filter, ranking(properties.get(Constants.SERVICE_RANKING), filter.getClass().getName() + "#" + serviceId),
                serviceId);
    }

    /**
     * The service's {@code service.ranking}: an Integer as the OSGi spec has it, or a Long or a
     * whole number in a String, as a {@code .cfg} file gives it through Config Admin. Anything
     * else counts as 0, with a warning naming the service.
     */
    static int ranking(Object value, String service) {
        if (value == null || value instanceof Integer) {
            return value == null ? 0 : (Integer) value;
        }
        try {
            return Math.toIntExact(Long.parseLong(value.toString().strip()));
        } catch (NumberFormatException | ArithmeticException e) {
            LOG.warn("{}: service.ranking \"{}\" is not a whole number; ranked 0", service, value);
            return 0;
        }
    }

    public void remove(long serviceId) {
        filters.remove(serviceId);
    }

    /** The filters in the order they run. */
    public List<MessageFilter> filters() {
        return ordered().stream().map(Ranked::filter).toList();
    }

    private List<Ranked> ordered() {
        return filters.values().stream().sorted(ORDER).toList();
    }

    /**
     * Runs every filter on the message.
     *
     * @param header     the original header, which the filters may edit
     * @param failClosed whether a filter that throws defers the message (true) or is skipped
     */
    public FilterRun run(String queueId, Envelope envelope, MessageSource original, MessageHeader header,
                         boolean failClosed) {
        ChainMessage message = new ChainMessage(queueId, envelope, original, header);
        for (Ranked f : ordered()) {
            FilterVerdict verdict;
            try {
                verdict = f.filter().filter(message);
            } catch (Exception | LinkageError e) {
                if (failClosed) {
                    LOG.warn("{}: filter {} failed, message deferred: {}", queueId, f.name(), e.toString(), e);
                    return new FilterRun(FilterRun.Decision.DEFER, message, null, f.name(), e);
                }
                LOG.warn("{}: filter {} failed and is skipped: {}", queueId, f.name(), e.toString(), e);
                continue;
            }
            if (verdict == null || verdict.action() == FilterVerdict.Action.CONTINUE) {
                continue;
            }
            FilterRun.Decision decision = verdict.action() == FilterVerdict.Action.REJECT
                    ? FilterRun.Decision.REJECT : FilterRun.Decision.DROP;
            return new FilterRun(decision, message, verdict, f.name(), null);
        }
        return new FilterRun(FilterRun.Decision.DELIVER, message, null, null, null);
    }
}
