package org.posthorn.api.store;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard listener: register as a service to be told of every committed change. The
 * store calls listeners after the commit, on its own thread, in commit order per mailbox.
 * A listener must return quickly (hand the event to its session) and must not call back
 * into the store from this thread.
 */
@ConsumerType
public interface MailboxListener {

    void changed(MailboxEvent event);
}
