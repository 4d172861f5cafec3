package org.posthorn.security.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * Keys and certificates for tests, made at run time with the JDK and Bouncy Castle (so no
 * private keys are committed), in every PEM form the loader must read.
 */
final class TestKeys {

    static final char[] PASSWORD = "s3cret key password".toCharArray();
    private static final Map<String, KeyPair> KEY_PAIRS = new ConcurrentHashMap<>();

    private TestKeys() {
    }

    /** The ways a private key is written, and the PEM header each produces. */
    enum KeyFormat {
        RSA_PKCS1("RSA", "-----BEGIN RSA PRIVATE KEY-----"),
        RSA_PKCS8("RSA", "-----BEGIN PRIVATE KEY-----"),
        RSA_ENCRYPTED_PKCS8("RSA", "-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        RSA_PKCS1_OPENSSL_ENCRYPTED("RSA", "DEK-Info: AES-256-CBC"),
        EC_SEC1("EC", "-----BEGIN EC PRIVATE KEY-----"),
        EC_SEC1_WITH_PARAMETERS("EC", "-----BEGIN EC PARAMETERS-----"),
        EC_PKCS8("EC", "-----BEGIN PRIVATE KEY-----"),
        EC_ENCRYPTED_PKCS8("EC", "-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        ED25519_PKCS8("Ed25519", "-----BEGIN PRIVATE KEY-----"),
        ED25519_ENCRYPTED_PKCS8("Ed25519", "-----BEGIN ENCRYPTED PRIVATE KEY-----");

        final String algorithm;
        final String header;

        KeyFormat(String algorithm, String header) {
            this.algorithm = algorithm;
            this.header = header;
        }

        boolean encrypted() {
            return name().contains("ENCRYPTED");
        }
    }

    /** One key pair per algorithm for the whole run (RSA generation is slow). */
    static KeyPair keyPair(String algorithm) {
        return KEY_PAIRS.computeIfAbsent(algorithm, TestKeys::newKeyPair);
    }

    static KeyPair newKeyPair(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else if (algorithm.equals("RSA")) {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate certificate(KeyPair keyPair, String hostName) {
        return certificate(keyPair, hostName, Duration.ofDays(90));
    }

    static X509Certificate certificate(KeyPair keyPair, String hostName, Duration validity) {
        Instant now = Instant.now();
        try {
            return SelfSignedCertificate.issue(keyPair, hostName, now.minus(Duration.ofHours(1)), now.plus(validity));
        } catch (KeyMaterialException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate for {@code hostName} issued by {@code issuer}, as a CA's intermediate would issue it. */
    static X509Certificate issuedBy(KeyPair subjectKeys, String hostName, X509Certificate issuer, PrivateKey issuerKey) {
        Instant now = Instant.now();
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(90))),
                    new X500Principal("CN=" + hostName), subjectKeys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostName)));
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(KeyMaterial.signatureAlgorithm(issuerKey)).build(issuerKey)));
        } catch (GeneralSecurityException | OperatorCreationException | KeyMaterialException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] certificatePem(X509Certificate... chain) {
        return pem(chain);
    }

    static byte[] keyPem(PrivateKey key, KeyFormat format) {
        try {
            BouncyCastleProvider bc = new BouncyCastleProvider();
            return switch (format) {
                // JcaMiscPEMGenerator writes RSA and EC keys in their traditional OpenSSL forms.
                case RSA_PKCS1 -> pem(new JcaMiscPEMGenerator(key));
                case EC_SEC1 -> pem(new JcaMiscPEMGenerator(withCurveInside(key, bc)));
                // What `openssl ecparam -genkey` writes: the curve, then the key.
                case EC_SEC1_WITH_PARAMETERS -> pem(
                        new PemObject("EC PARAMETERS", SECObjectIdentifiers.secp256r1.getEncoded()),
                        new JcaMiscPEMGenerator(withCurveInside(key, bc)));
                case RSA_PKCS1_OPENSSL_ENCRYPTED -> pem(new JcaMiscPEMGenerator(key,
                        new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(bc).build(PASSWORD)));
                case RSA_PKCS8, EC_PKCS8, ED25519_PKCS8 -> pem(new JcaPKCS8Generator(key, null));
                // What `openssl genpkey -aes-256-cbc` writes: PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC.
                case RSA_ENCRYPTED_PKCS8, EC_ENCRYPTED_PKCS8, ED25519_ENCRYPTED_PKCS8 -> pem(new JcaPKCS8Generator(key,
                        new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                                .setPRF(PKCS8Generator.PRF_HMACSHA256)
                                .setProvider(bc)
                                .setPassword(PASSWORD)
                                .build()));
            };
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same EC key as Bouncy Castle encodes it: with the curve inside the SEC1 structure, as
     * OpenSSL writes it. (The JDK leaves it to the PKCS#8 wrapper, so a SEC1 block cut out of the
     * JDK's encoding would name no curve.)
     */
    private static PrivateKey withCurveInside(PrivateKey key, BouncyCastleProvider bc) {
        try {
            return KeyFactory.getInstance("EC", bc).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pem(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                if (object instanceof PemObjectGenerator generator) {
                    writer.writeObject(generator);
                } else {
                    writer.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
