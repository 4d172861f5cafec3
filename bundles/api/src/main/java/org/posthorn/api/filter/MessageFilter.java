package org.posthorn.api.filter;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A message filter, registered as an OSGi service by any bundle. The queue runs every
 * filter once per message before delivery, in order of {@code service.ranking} (highest
 * first; equal ranks by service id), and picks up filters that come and go at runtime.
 *
 * <p>Filters are called from several dispatcher threads at once and must be thread-safe.
 * A filter should not block for long (DNS look-ups are fine; waiting on a human is not).
 * An exception thrown by a filter is logged; the queue then skips the filter or defers the
 * message, as the admin configured (fail-open or fail-closed) — it never loses the message.
 */
@ConsumerType
public interface MessageFilter {

    /**
     * Inspects and possibly changes one message.
     *
     * @param message the message being dispatched; valid only during this call
     * @return what happens next; {@link FilterVerdict#CONTINUE} hands it to the next filter
     */
    FilterVerdict filter(FilteredMessage message) throws Exception;
}
