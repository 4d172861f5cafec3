package org.posthorn.security.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * One generation of server TLS state: a JSSE context over one key and chain, and what
 * engines made from it enable. Immutable; a renewal makes a new one.
 */
record ServerContext(SSLContext sslContext, KeyMaterial material, TlsPolicy enabled) {

    // The key store only carries the key into the key manager, in memory; its password
    // protects nothing and is not a secret. JKS, because a PKCS12 store would encrypt the key
    // with 10,000 rounds of PBKDF2 and the key manager decrypt it again: about a second of CPU
    // at every start and certificate change, for nothing.
    private static final char[] KEY_STORE_PASSWORD = "in-memory".toCharArray();
    private static final String ALIAS = "server";

    /** A SunJSSE (default provider) context serving {@code material}, with {@code policy} narrowed to what it supports. */
    static ServerContext build(KeyMaterial material, TlsPolicy policy) throws KeyMaterialException {
        try {
            KeyStore keyStore = KeyStore.getInstance("JKS");
            keyStore.load(null, null);
            keyStore.setKeyEntry(ALIAS, material.privateKey(), KEY_STORE_PASSWORD,
                    material.chain().toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, KEY_STORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return new ServerContext(context, material, policy.supportedBy(context.getSupportedSSLParameters()));
        } catch (GeneralSecurityException | IOException e) {
            throw new KeyMaterialException("cannot build a TLS context for " + material.leaf().getSubjectX500Principal()
                    + ": " + e.getMessage(), e);
        }
    }
}
