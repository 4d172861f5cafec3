package org.posthorn.mailauth.dkim;

import java.security.PrivateKey;
import java.util.Objects;

/**
 * A private key to sign with, and where its public half is published:
 * {@code <selector>._domainkey.<domain>}.
 */
public record DkimKey(String domain, String selector, PrivateKey privateKey) {

    public DkimKey {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    public DkimAlgorithm algorithm() {
        return DkimAlgorithm.forKey(privateKey);
    }
}
