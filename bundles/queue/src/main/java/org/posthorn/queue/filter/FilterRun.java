package org.posthorn.queue.filter;

import org.posthorn.api.filter.FilterVerdict;

/**
 * What the filter chain decided for one message.
 *
 * @param decision   deliver, reject, drop, or defer (a filter failed and the chain fails closed)
 * @param message    the message with the filters' changes (for DELIVER)
 * @param verdict    the rejecting or dropping filter's verdict, or null
 * @param filterName the filter that decided (or failed), or null
 * @param failure    what the failing filter threw (for DEFER), or null
 */
public record FilterRun(Decision decision, ChainMessage message, FilterVerdict verdict, String filterName,
                        Throwable failure) {

    public enum Decision { DELIVER, REJECT, DROP, DEFER }
}
