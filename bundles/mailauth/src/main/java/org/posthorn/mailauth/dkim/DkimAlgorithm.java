package org.posthorn.mailauth.dkim;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Optional;

/**
 * The signing algorithms Posthorn signs and verifies with, on the JDK's own providers.
 * rsa-sha1 is deliberately missing: RFC 8301 §3.1 forbids signing with it and accepting it.
 */
public enum DkimAlgorithm {
    /** RFC 6376: RSASSA-PKCS1-v1_5 over the SHA-256 of the signed data. */
    RSA_SHA256("rsa-sha256", "rsa"),
    /** RFC 8463: PureEdDSA Ed25519 over the SHA-256 hash of the signed data. */
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The {@code a=} value. */
    public String tag() {
        return tag;
    }

    /** The {@code k=} value of the key record. */
    public String keyType() {
        return keyType;
    }

    public static Optional<DkimAlgorithm> ofTag(String tag) {
        for (DkimAlgorithm a : values()) {
            if (a.tag.equalsIgnoreCase(tag)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The algorithm for a key ("RSA" or "Ed25519"/"EdDSA" in JCA terms). */
    public static DkimAlgorithm forKey(Key key) {
        return "RSA".equals(key.getAlgorithm()) ? RSA_SHA256 : ED25519_SHA256;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Signs the canonicalized header data. */
    byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature signature = signature();
        signature.initSign(key);
        signature.update(input(data));
        return signature.sign();
    }

    boolean verify(PublicKey key, byte[] data, byte[] signatureBytes) throws GeneralSecurityException {
        Signature signature = signature();
        signature.initVerify(key);
        signature.update(input(data));
        return signature.verify(signatureBytes);
    }

    private Signature signature() throws GeneralSecurityException {
        return Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
    }

    /** RFC 8463 §3: Ed25519 signs the SHA-256 hash, not the data itself. */
    private byte[] input(byte[] data) {
        return this == RSA_SHA256 ? data : sha256().digest(data);
    }
}
