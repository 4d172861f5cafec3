package org.posthorn.queue.remote;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.dns.MxRecord;

/** An in-memory {@link DnsResolver}: names it does not know do not exist. */
final class StaticResolver implements DnsResolver {

    private final Map<String, List<MxRecord>> mx = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> addresses = new ConcurrentHashMap<>();
    private final Map<String, DnsLookupException.Kind> failures = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();

    StaticResolver mx(String domain, int preference, String host) {
        mx.computeIfAbsent(domain, d -> new ArrayList<>()).add(new MxRecord(preference, host));
        addresses.computeIfAbsent(domain, d -> new ArrayList<>());
        return this;
    }

    StaticResolver address(String host, String ip) {
        mx.computeIfAbsent(host, d -> new ArrayList<>());
        addresses.computeIfAbsent(host, h -> new ArrayList<>()).add(IpLiteral.parse(ip));
        return this;
    }

    /** The name exists, with no records. */
    StaticResolver exists(String name) {
        mx.computeIfAbsent(name, d -> new ArrayList<>());
        addresses.computeIfAbsent(name, d -> new ArrayList<>());
        return this;
    }

    StaticResolver failing(String name, DnsLookupException.Kind kind) {
        failures.put(name, kind);
        return this;
    }

    int lookups() {
        return lookups.get();
    }

    @Override
    public List<MxRecord> mx(String domain) throws DnsLookupException {
        return List.copyOf(lookup(mx, domain));
    }

    @Override
    public List<InetAddress> addresses(String host) throws DnsLookupException {
        return List.copyOf(lookup(addresses, host));
    }

    @Override
    public List<String> txt(String name) throws DnsLookupException {
        lookup(mx, name);
        return List.of();
    }

    @Override
    public List<String> ptr(InetAddress address) throws DnsLookupException {
        lookups.incrementAndGet();
        throw new DnsLookupException(DnsLookupException.Kind.NO_SUCH_DOMAIN, address + ": no reverse DNS");
    }

    private <T> List<T> lookup(Map<String, List<T>> records, String name) throws DnsLookupException {
        lookups.incrementAndGet();
        DnsLookupException.Kind failure = failures.get(name);
        if (failure != null) {
            throw new DnsLookupException(failure, "lookup of " + name + " failed (" + failure + ")");
        }
        List<T> found = records.get(name);
        if (found == null) {
            throw new DnsLookupException(DnsLookupException.Kind.NO_SUCH_DOMAIN, name + ": no such domain");
        }
        return found;
    }
}
