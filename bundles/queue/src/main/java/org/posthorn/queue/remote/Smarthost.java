package org.posthorn.queue.remote;

import java.util.Objects;

/**
 * A relay every remote message is handed to instead of the recipient domain's MX.
 *
 * @param host      host name or IP address
 * @param port      TCP port (587 submission, 465 with implicit TLS, 25)
 * @param tls       how the connection is encrypted
 * @param tlsVerify whether the relay's certificate must chain to a trusted root and name {@code host}
 * @param username  the AUTH identity, or null for none
 * @param password  the AUTH secret, or null; never logged, never in {@link #toString()}
 */
public record Smarthost(String host, int port, SmarthostTls tls, boolean tlsVerify, String username, String password) {

    public Smarthost {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smarthost port out of range: " + port);
        }
        if (username != null && username.isEmpty()) {
            username = null;
        }
        if (username != null && password == null) {
            throw new IllegalArgumentException("smarthost username without password");
        }
    }

    public boolean hasCredentials() {
        return username != null;
    }

    @Override
    public String toString() {
        return host + ":" + port + " (" + tls + (username != null ? ", AUTH as " + username : "") + ")";
    }
}
