/**
 * The durable mail queue: where the SMTP receiver (and anything else that generates mail)
 * hands over a message ({@link org.posthorn.api.queue.MailQueue}), from which it is delivered,
 * and what administrators may do with its entries ({@link org.posthorn.api.queue.QueueAdmin}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.queue;
