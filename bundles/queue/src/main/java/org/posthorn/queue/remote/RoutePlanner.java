package org.posthorn.queue.remote;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.dns.MxRecord;

/**
 * RFC 5321 §5.1 for one domain: its MX hosts by preference (shuffled among equal
 * preferences, to spread load as the RFC asks), the domain itself as an implicit MX when it has
 * no MX record, RFC 7505 null MX, address literals, and no host that is this server or less
 * preferred than it. Thread-safe.
 */
final class RoutePlanner {

    private final DnsResolver resolver;
    private final LocalHosts local;
    private final Random random;

    RoutePlanner(DnsResolver resolver, LocalHosts local, Random random) {
        this.resolver = resolver;
        this.local = local;
        this.random = random;
    }

    Route plan(String domain) {
        if (domain.startsWith("[")) {
            return literal(domain);
        }
        List<MxRecord> records;
        try {
            records = resolver.mx(domain);
        } catch (DnsLookupException e) {
            return new Route.Unroutable(lookupFailure(e));
        }
        if (records.size() == 1 && records.get(0).isNullMx()) {
            return new Route.Unroutable(Verdict.failed("5.1.10",
                    "domain " + domain + " does not accept mail (null MX, RFC 7505)"));
        }
        List<MxRecord> candidates = records.stream().filter(r -> !r.isNullMx()).toList();
        boolean implicit = candidates.isEmpty();
        if (implicit) {
            candidates = List.of(new MxRecord(0, domain));
        }
        return resolve(domain, order(candidates), implicit);
    }

    private Route resolve(String domain, List<MxRecord> ordered, boolean implicit) {
        List<MailHost> hosts = new ArrayList<>();
        DnsLookupException lastFailure = null;
        boolean temporaryFailure = false;
        Integer ourPreference = null;
        for (MxRecord record : ordered) {
            if (local.isLocalName(record.host())) {
                ourPreference = record.preference();
                break;
            }
            List<InetAddress> addresses;
            try {
                addresses = resolver.addresses(record.host());
            } catch (DnsLookupException e) {
                lastFailure = e;
                temporaryFailure |= e.kind() == DnsLookupException.Kind.TEMPORARY;
                continue;
            }
            if (addresses.stream().anyMatch(local::isLocalAddress)) {
                ourPreference = record.preference();
                break;
            }
            if (!addresses.isEmpty()) {
                hosts.add(new MailHost(record.host(), record.preference(), addresses));
            }
        }
        if (ourPreference != null) {
            int cut = ourPreference;
            hosts.removeIf(h -> h.preference() >= cut);
            if (hosts.isEmpty()) {
                return new Route.Unroutable(Verdict.failed("5.4.6", "mail for " + domain + " loops back to myself"));
            }
        }
        if (!hosts.isEmpty()) {
            return new Route.Hosts(hosts);
        }
        if (temporaryFailure) {
            return new Route.Unroutable(Verdict.deferred("4.4.3", lastFailure.getMessage()));
        }
        if (implicit && lastFailure != null) {
            return new Route.Unroutable(lookupFailure(lastFailure));
        }
        return new Route.Unroutable(Verdict.failed("5.4.4", implicit
                ? "domain " + domain + " has neither MX nor address records"
                : "no MX host of " + domain + " has an address"));
    }

    /** Sorted by preference; equal preferences in random order (RFC 5321 §5.1). */
    private List<MxRecord> order(List<MxRecord> records) {
        Map<Integer, List<MxRecord>> groups = new TreeMap<>();
        for (MxRecord r : records) {
            groups.computeIfAbsent(r.preference(), p -> new ArrayList<>()).add(r);
        }
        List<MxRecord> ordered = new ArrayList<>(records.size());
        for (List<MxRecord> group : groups.values()) {
            Collections.shuffle(group, random);
            ordered.addAll(group);
        }
        return ordered;
    }

    private Route literal(String domain) {
        InetAddress address = IpLiteral.parseAddressLiteral(domain);
        if (address == null) {
            return new Route.Unroutable(Verdict.failed("5.1.2", "malformed address literal " + domain));
        }
        if (local.isLocalAddress(address)) {
            return new Route.Unroutable(Verdict.failed("5.4.6", "mail for " + domain + " loops back to myself"));
        }
        return new Route.Hosts(List.of(new MailHost(domain, 0, List.of(address))));
    }

    private static Verdict lookupFailure(DnsLookupException e) {
        return e.kind() == DnsLookupException.Kind.NO_SUCH_DOMAIN
                ? Verdict.failed("5.1.2", e.getMessage())
                : Verdict.deferred("4.4.3", e.getMessage());
    }
}
