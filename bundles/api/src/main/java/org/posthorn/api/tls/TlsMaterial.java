package org.posthorn.api.tls;

import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The server's certificate and key as a ready JSSE {@link SSLContext}.
 *
 * <p>The material can be replaced at runtime (a renewed certificate): every call returns
 * the current one, so a listener must ask for the context when a TLS session starts, not
 * once at start-up. Sessions already established keep theirs. Thread-safe.
 */
@ProviderType
public interface TlsMaterial {

    /** The current server context (TLS 1.2 and 1.3 only). */
    SSLContext serverContext();

    /** The enabled protocol names for server engines, e.g. {@code TLSv1.3, TLSv1.2}. */
    List<String> protocols();

    /** The enabled cipher suites for server engines, strongest first. */
    List<String> cipherSuites();

    /** The current certificate chain, leaf first. */
    List<X509Certificate> certificateChain();
}
