package org.posthorn.api.queue;

import java.io.InputStream;

import org.osgi.annotation.versioning.ProviderType;
import org.posthorn.api.mail.Envelope;

/**
 * The durable queue. Once {@link #enqueue} returns, the message and its envelope are on
 * stable storage (forced to disk), and Posthorn owes every recipient a delivery or the
 * sender a bounce, across crashes and restarts. Only then may SMTP answer 250.
 *
 * <p>Thread-safe: many sessions enqueue concurrently.
 */
@ProviderType
public interface MailQueue {

    /**
     * Reads {@code message} to its end, stores it with the envelope and forces both to disk.
     * The caller owns and closes the stream. If the stream throws (client gone, size limit
     * exceeded), nothing is kept and the exception is rethrown wrapped as a temporary
     * {@link QueueException}.
     *
     * @param envelope sender, recipients and parameters
     * @param message  the message bytes, CRLF line endings, dot-stuffing already removed;
     *                 the queue adds nothing to them
     * @return the queue id and the stored size
     * @throws QueueException if the message could not be stored; nothing was kept
     */
    QueuedMessage enqueue(Envelope envelope, InputStream message) throws QueueException;
}
