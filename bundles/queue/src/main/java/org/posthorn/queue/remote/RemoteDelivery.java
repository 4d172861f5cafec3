package org.posthorn.queue.remote;

import java.util.List;

import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;

/**
 * Delivers one message to the recipients of one destination domain over SMTP: looks up the
 * domain's mail exchangers (or uses the configured smarthost), connects, and transfers the
 * message once for all given recipients. Implementations are thread-safe; the dispatcher calls
 * them from several worker threads. A call never throws for a delivery problem: every recipient
 * gets a {@link RecipientOutcome}.
 */
public interface RemoteDelivery {

    /**
     * @param domain     the destination domain (canonical ASCII form); all recipients are in it
     * @param envelope   the message's envelope (sender, DSN parameters, SMTPUTF8, body type)
     * @param recipients the recipients to deliver to now (a subset of the envelope's)
     * @param message    the message bytes as they are to be sent (headers already changed by filters)
     * @return one outcome per recipient, in the order given
     */
    List<RecipientOutcome> deliver(String domain, Envelope envelope, List<Recipient> recipients, MessageSource message);
}
