package org.posthorn.queue.remote;

import java.net.InetAddress;
import java.util.List;

/**
 * A host to try for a destination, with its addresses resolved.
 *
 * @param name       the host name (the MX target, the domain itself for an implicit MX, the
 *                   address literal, or the smarthost); what a certificate must name
 * @param preference the MX preference (0 where there is no MX record)
 * @param addresses  where to connect, in order
 */
record MailHost(String name, int preference, List<InetAddress> addresses) {

    MailHost {
        addresses = List.copyOf(addresses);
    }
}
