package org.posthorn.net.internal;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.posthorn.api.tls.TlsMaterial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a fresh SslFilter from the TLS material current at that moment, one per connection,
 * so a renewed certificate serves the next handshake and a missing one is noticed at once.
 */
final class TlsSource {

    private static final Logger LOG = LoggerFactory.getLogger(TlsSource.class);

    private final Supplier<Optional<TlsMaterial>> material;

    TlsSource(Supplier<Optional<TlsMaterial>> material) {
        this.material = Objects.requireNonNull(material, "tls");
    }

    boolean available() {
        return current().isPresent();
    }

    /** A filter for one server-side connection, or empty when there is no usable material. */
    Optional<SslFilter> newFilter() {
        Optional<TlsMaterial> current = current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        try {
            TlsMaterial tls = current.get();
            SSLContext context = tls.serverContext();
            ServerSslFilter filter = new ServerSslFilter(context);
            // MINA 2.2's default non-blocking handler (SSLHandlerG1) hands encrypted records on
            // outside its lock, so a record written by the connection's worker and one sent by the
            // I/O thread's acknowledgement can reach the socket out of order and break the TLS
            // stream ("bad record MAC" at the client under a large response). The blocking handler
            // (SSLHandlerG0) encrypts and forwards under one lock.
            filter.setUseNonBlockingPipeline(false);
            List<String> protocols = tls.protocols();
            if (!protocols.isEmpty()) {
                filter.setEnabledProtocols(protocols.toArray(String[]::new));
            }
            List<String> ciphers = supported(context, tls.cipherSuites());
            if (!ciphers.isEmpty()) {
                filter.setEnabledCipherSuites(ciphers.toArray(String[]::new));
            }
            return Optional.of(filter);
        } catch (RuntimeException e) {
            LOG.warn("TLS material is not usable: {}", e.toString());
            return Optional.empty();
        }
    }

    private Optional<TlsMaterial> current() {
        try {
            Optional<TlsMaterial> current = material.get();
            return current == null ? Optional.empty() : current;
        } catch (RuntimeException e) {
            // a dynamic service reference can go away under our feet
            LOG.warn("TLS material could not be obtained: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Drops suites this JSSE provider does not know, which would make every engine fail. */
    private static List<String> supported(SSLContext context, List<String> wanted) {
        Set<String> known = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        List<String> usable = wanted.stream().filter(known::contains).toList();
        if (usable.size() < wanted.size()) {
            LOG.warn("Ignoring cipher suites the TLS provider does not support: {}",
                    wanted.stream().filter(suite -> !known.contains(suite)).toList());
        }
        return usable;
    }

    /** A server-side SslFilter that does not resolve the client's host name for its engine. */
    private static final class ServerSslFilter extends SslFilter {

        ServerSslFilter(SSLContext context) {
            super(context);
        }

        @Override
        protected SSLEngine createEngine(IoSession session, InetSocketAddress address) {
            // the peer host and port only serve session resumption on the client side;
            // InetSocketAddress.getHostName() would cost a reverse DNS lookup per connection
            return super.createEngine(session, null);
        }
    }
}
