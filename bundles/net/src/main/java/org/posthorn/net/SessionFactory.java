package org.posthorn.net;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Makes the {@link ProtocolSession} for each accepted connection, e.g.
 * {@code connection -> new Pop3Session(connection, store, users)}. Called on the new
 * connection's thread, before any other callback.
 */
@ConsumerType
@FunctionalInterface
public interface SessionFactory {

    ProtocolSession create(Connection connection);
}
