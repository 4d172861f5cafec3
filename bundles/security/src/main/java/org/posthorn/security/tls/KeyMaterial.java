package org.posthorn.security.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A private key and the certificate chain it belongs to, leaf first: the leaf's public key
 * is checked to belong to the private key when this is made.
 */
record KeyMaterial(PrivateKey privateKey, List<X509Certificate> chain) {

    private static final SecureRandom RANDOM = new SecureRandom();

    KeyMaterial {
        chain = List.copyOf(chain);
    }

    /**
     * Pairs {@code key} with {@code chain}, or explains why they do not belong together.
     * {@code keyOrigin} and {@code chainOrigin} name where they came from, for the message.
     */
    static KeyMaterial matched(PrivateKey key, List<X509Certificate> chain, String keyOrigin, String chainOrigin)
            throws KeyMaterialException {
        if (chain.isEmpty()) {
            throw new KeyMaterialException("no certificate in " + chainOrigin);
        }
        X509Certificate leaf = chain.get(0);
        if (!signsFor(key, leaf)) {
            throw new KeyMaterialException("the private key in " + keyOrigin + " does not match the certificate "
                    + leaf.getSubjectX500Principal().getName() + " in " + chainOrigin
                    + " (the server's own certificate must come first in the chain)");
        }
        for (int i = 1; i < chain.size(); i++) {
            if (!chain.get(i - 1).getIssuerX500Principal().equals(chain.get(i).getSubjectX500Principal())) {
                throw new KeyMaterialException("the certificates in " + chainOrigin + " are not in chain order:"
                        + " certificate " + (i + 1) + " (" + chain.get(i).getSubjectX500Principal().getName()
                        + ") did not issue certificate " + i + " (issuer "
                        + chain.get(i - 1).getIssuerX500Principal().getName() + ")");
            }
        }
        return new KeyMaterial(key, chain);
    }

    /** The JCA signature algorithm for a key of this type, as used for self-signing too. */
    static String signatureAlgorithm(PrivateKey key) throws KeyMaterialException {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            default -> throw new KeyMaterialException("unsupported private key type " + key.getAlgorithm()
                    + " (RSA, EC or Ed25519 expected)");
        };
    }

    /** True if a signature by {@code key} verifies with the certificate's public key. */
    private static boolean signsFor(PrivateKey key, X509Certificate certificate) throws KeyMaterialException {
        String algorithm = signatureAlgorithm(key);
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // e.g. an EC certificate's key given to an RSA verifier: they do not belong together
            return false;
        }
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    Instant expiry() {
        return leaf().getNotAfter().toInstant();
    }

    /** Subject, alternative names, issuer and expiry of the leaf, for the log. */
    String describe() {
        X509Certificate leaf = leaf();
        return "subject " + leaf.getSubjectX500Principal().getName() + ", names " + alternativeNames(leaf)
                + ", issuer " + leaf.getIssuerX500Principal().getName() + ", expires " + expiry();
    }

    private static List<String> alternativeNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            if (entries != null) {
                for (List<?> entry : entries) {
                    names.add(String.valueOf(entry.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            names.add("(unreadable: " + e.getMessage() + ")");
        }
        return names;
    }
}
