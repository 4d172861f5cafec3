package org.posthorn.queue.remote;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names and addresses that are this server, so that mail is never sent to ourselves in a
 * loop (RFC 5321 §5.1: a client that finds itself in the MX list discards itself and every
 * less preferred host). Immutable.
 */
final class LocalHosts {

    private static final Logger LOG = LoggerFactory.getLogger(LocalHosts.class);

    private final Set<String> names;
    private final Set<InetAddress> addresses;
    private final boolean loopbackIsLocal;

    private LocalHosts(Set<String> names, Set<InetAddress> addresses, boolean loopbackIsLocal) {
        this.names = Set.copyOf(names);
        this.addresses = Set.copyOf(addresses);
        this.loopbackIsLocal = loopbackIsLocal;
    }

    /** The EHLO name, the configured names and addresses, and (if asked) every interface address. */
    static LocalHosts of(RemoteDeliveryConfig config) {
        Set<String> names = new HashSet<>();
        Set<InetAddress> addresses = new HashSet<>();
        names.add(config.heloName().toLowerCase(Locale.ROOT));
        for (String entry : config.localHosts()) {
            String e = entry.trim();
            InetAddress address = IpLiteral.parse(e.startsWith("[") ? e.substring(1, e.length() - 1) : e);
            if (address != null) {
                addresses.add(address);
            } else if (!e.isEmpty()) {
                names.add(stripDot(e.toLowerCase(Locale.ROOT)));
            }
        }
        if (config.detectLocalAddresses()) {
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    addresses.addAll(Collections.list(nif.getInetAddresses()));
                }
            } catch (SocketException e) {
                LOG.warn("Cannot list network interfaces for mail loop detection: {}", e.getMessage());
            }
        }
        return new LocalHosts(names, addresses, config.detectLocalAddresses());
    }

    boolean isLocalName(String host) {
        return names.contains(stripDot(host.toLowerCase(Locale.ROOT)));
    }

    /** The wildcard address always reaches this machine; loopback does when interfaces are detected. */
    boolean isLocalAddress(InetAddress address) {
        return address.isAnyLocalAddress() || (loopbackIsLocal && address.isLoopbackAddress())
                || addresses.contains(address);
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
