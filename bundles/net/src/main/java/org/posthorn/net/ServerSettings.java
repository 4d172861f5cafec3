package org.posthorn.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link ProtocolServer} listens on and the limits it keeps. Immutable; build one with
 * {@link #builder(String)}:
 *
 * <pre>{@code
 * ServerSettings.builder("smtp")
 *     .listener(ListenerSpec.of("mx", 25, TlsMode.STARTTLS))
 *     .listener(ListenerSpec.of("submissions", 465, TlsMode.IMPLICIT))
 *     .maxLineLength(998)
 *     .idleTimeout(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 *
 * @param name                     the protocol's name in logs and thread names, e.g. {@code "smtp"}
 * @param listeners                the listeners, names unique
 * @param maxConnections           connections the server holds at most, over all its listeners
 * @param maxConnectionsPerAddress connections one client IP address holds at most
 * @param idleTimeout              how long a connection waits for its client before
 *                                 {@link ProtocolSession#idleTimeout()} (RFC 5321 §4.5.3.2.7
 *                                 suggests 5 minutes for SMTP, RFC 9051 §5.4 at least 30 for IMAP)
 * @param maxLineLength            the longest line accepted, in bytes, without its line ending
 * @param shutdownGrace            how long {@link ProtocolServer#close()} lets sessions say goodbye
 */
public record ServerSettings(String name, List<ListenerSpec> listeners, int maxConnections,
                             int maxConnectionsPerAddress, Duration idleTimeout, int maxLineLength,
                             Duration shutdownGrace) {

    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 50;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

    public ServerSettings {
        Objects.requireNonNull(name, "name");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Set<String> names = new HashSet<>();
        for (ListenerSpec listener : listeners) {
            if (!names.add(listener.name())) {
                throw new IllegalArgumentException(name + ": two listeners named '" + listener.name() + "'");
            }
        }
        requirePositive("maxConnections", maxConnections);
        requirePositive("maxConnectionsPerAddress", maxConnectionsPerAddress);
        requirePositive("maxLineLength", maxLineLength);
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative: " + shutdownGrace);
        }
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
    }

    /** Settings named {@code name}, with no listeners and the defaults above. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder that starts from these settings, to change some of them. */
    public Builder toBuilder() {
        Builder builder = new Builder(name);
        builder.listeners.addAll(listeners);
        return builder.maxConnections(maxConnections)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .idleTimeout(idleTimeout)
                .maxLineLength(maxLineLength)
                .shutdownGrace(shutdownGrace);
    }

    /** Collects settings; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final List<ListenerSpec> listeners = new ArrayList<>();
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;

        private Builder(String name) {
            this.name = name;
        }

        public Builder listener(ListenerSpec listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Replaces the listeners. */
        public Builder listeners(List<ListenerSpec> replacement) {
            listeners.clear();
            replacement.forEach(this::listener);
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder maxConnectionsPerAddress(int value) {
            maxConnectionsPerAddress = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder maxLineLength(int value) {
            maxLineLength = value;
            return this;
        }

        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

        public ServerSettings build() {
            return new ServerSettings(name, listeners, maxConnections, maxConnectionsPerAddress,
                    idleTimeout, maxLineLength, shutdownGrace);
        }
    }
}
