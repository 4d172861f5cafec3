package org.posthorn.api.store;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard listener: register as a service to be told of every committed change. The
 * store calls listeners after the commit, never while it holds a database lock, on one
 * store-owned thread, in commit order per mailbox (see {@link MailboxEvent} for MODSEQ
 * ordering). A listener must return quickly (hand the event to its session) and must not
 * call back into the store from this thread; an exception it throws is logged and ignored.
 */
@ConsumerType
public interface MailboxListener {

    void changed(MailboxEvent event);
}
