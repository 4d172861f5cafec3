package org.posthorn.net;

import java.util.Objects;

/**
 * One address and port a protocol listens on, as its configuration names it.
 *
 * @param name  the listener's name in logs and counters, e.g. {@code "mx"}, {@code "submission"},
 *              {@code "imaps"}; unique within one server
 * @param host  the local address to bind, a literal IP or host name; {@code "*"} (or
 *              {@code null}, or blank) binds every interface
 * @param port  the TCP port; {@code 0} lets the system choose one (see
 *              {@link ListenerStatus#boundAddress()})
 * @param tls   how the listener speaks TLS
 */
public record ListenerSpec(String name, String host, int port, TlsMode tls) {

    /** The {@link #host()} value that binds every interface. */
    public static final String ANY_HOST = "*";

    public ListenerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tls, "tls");
        if (name.isBlank()) {
            throw new IllegalArgumentException("listener name is blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listener '" + name + "': port out of range: " + port);
        }
        host = host == null || host.isBlank() ? ANY_HOST : host.strip();
    }

    /** A listener on every interface. */
    public static ListenerSpec of(String name, int port, TlsMode tls) {
        return new ListenerSpec(name, ANY_HOST, port, tls);
    }
}
