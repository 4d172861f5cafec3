/**
 * The durable mail queue: where the SMTP receiver (and anything else that generates mail)
 * hands over a message, and from which it is delivered.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.queue;
