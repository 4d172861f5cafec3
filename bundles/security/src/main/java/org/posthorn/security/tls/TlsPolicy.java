package org.posthorn.security.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLParameters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocols and cipher suites server engines enable, in order of preference.
 *
 * @param protocols    TLSv1.3 and/or TLSv1.2, nothing older
 * @param cipherSuites JSSE names, strongest first
 */
record TlsPolicy(List<String> protocols, List<String> cipherSuites) {

    private static final Logger LOG = LoggerFactory.getLogger(TlsPolicy.class);
    private static final Set<String> PERMITTED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    TlsPolicy {
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
    }

    /**
     * The policy as configured. Each value may itself be a comma or space separated list (a
     * configuration file gives one string). Protocols older than TLS 1.2 are dropped with a
     * warning; nothing left is an error.
     */
    static TlsPolicy configured(String[] protocols, String[] cipherSuites) {
        List<String> permitted = new ArrayList<>();
        for (String protocol : split(protocols)) {
            if (PERMITTED_PROTOCOLS.contains(protocol)) {
                permitted.add(protocol);
            } else {
                LOG.warn("Ignoring TLS protocol {}: only TLSv1.3 and TLSv1.2 are permitted", protocol);
            }
        }
        List<String> suites = split(cipherSuites);
        if (permitted.isEmpty() || suites.isEmpty()) {
            throw new IllegalArgumentException("protocols needs TLSv1.3 and/or TLSv1.2, and cipher_suites at least one suite");
        }
        return new TlsPolicy(permitted, suites);
    }

    private static List<String> split(String[] values) {
        return Arrays.stream(values)
                .flatMap(value -> Arrays.stream(value.split("[,\\s]+")))
                .filter(name -> !name.isEmpty())
                .distinct()
                .toList();
    }

    /** What of this the JVM supports, in the same order. */
    TlsPolicy supportedBy(SSLParameters supported) throws KeyMaterialException {
        List<String> enabledProtocols = retain(protocols, supported.getProtocols());
        List<String> enabledSuites = retain(cipherSuites, supported.getCipherSuites());
        if (enabledProtocols.isEmpty() || enabledSuites.isEmpty()) {
            throw new KeyMaterialException("this JVM supports none of the configured protocols " + protocols
                    + " or none of the configured cipher suites");
        }
        if (enabledSuites.size() < cipherSuites.size()) {
            LOG.debug("Cipher suites this JVM does not support are left out: {}", cipherSuites.stream()
                    .filter(suite -> !enabledSuites.contains(suite)).toList());
        }
        return new TlsPolicy(enabledProtocols, enabledSuites);
    }

    private static List<String> retain(List<String> wanted, String[] available) {
        List<String> availableList = Arrays.asList(available);
        return wanted.stream().filter(availableList::contains).toList();
    }
}
