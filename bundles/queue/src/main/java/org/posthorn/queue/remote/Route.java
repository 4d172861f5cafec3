package org.posthorn.queue.remote;

import java.util.List;

/** Where the mail for a domain goes: hosts to try in order, or why it cannot go anywhere. */
sealed interface Route {

    /** Try these hosts in order, at most once each; never empty. */
    record Hosts(List<MailHost> hosts) implements Route {
        public Hosts {
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("a route needs a host");
            }
        }
    }

    /** No host to try: this verdict applies to every recipient. */
    record Unroutable(Verdict verdict) implements Route {
    }
}
