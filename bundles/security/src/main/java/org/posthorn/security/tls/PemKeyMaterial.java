package org.posthorn.security.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads a certificate chain and its private key from PEM text, as written by openssl,
 * certbot and most CAs: {@code CERTIFICATE} blocks, and the key as PKCS#1
 * ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}), PKCS#8 ({@code PRIVATE KEY}),
 * encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}) or legacy OpenSSL-encrypted PKCS#1/SEC1.
 *
 * <p>Keys come out as the JDK's own key classes (the default JCA providers do the
 * conversion), which is what SunJSSE's key manager selects certificates by. Bouncy Castle is
 * asked as a provider instance only to decrypt, and is never registered JVM-wide.
 */
final class PemKeyMaterial {

    private PemKeyMaterial() {
    }

    /**
     * The chain in {@code certificates} and the key in {@code key}; when {@code key} is null
     * the key is looked for in the certificate text (a combined PEM file).
     */
    static KeyMaterial read(PemText certificates, PemText key, char[] password) throws KeyMaterialException {
        List<Object> certificateBlocks = blocks(certificates);
        PemText keySource = key == null ? certificates : key;
        List<Object> keyBlocks = key == null ? certificateBlocks : blocks(key);
        List<X509Certificate> chain = new ArrayList<>();
        for (Object block : certificateBlocks) {
            if (block instanceof X509CertificateHolder holder) {
                chain.add(certificate(holder, certificates));
            }
        }
        List<PrivateKey> keys = new ArrayList<>();
        for (Object block : keyBlocks) {
            PrivateKeyInfo info = privateKeyInfo(block, keySource, password);
            if (info != null) {
                keys.add(privateKey(info, keySource));
            }
        }
        if (keys.isEmpty()) {
            throw new KeyMaterialException("no private key in " + keySource.origin());
        }
        if (keys.size() > 1) {
            throw new KeyMaterialException("more than one private key in " + keySource.origin());
        }
        return KeyMaterial.matched(keys.get(0), chain, keySource.origin(), certificates.origin());
    }

    private static List<Object> blocks(PemText pem) throws KeyMaterialException {
        List<Object> blocks = new ArrayList<>();
        try (PEMParser parser = new PEMParser(
                new InputStreamReader(new ByteArrayInputStream(pem.content()), StandardCharsets.US_ASCII))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                blocks.add(block);
            }
        } catch (IOException e) {
            // Also a truncated file: "-----END ... not found". Bouncy Castle's messages quote no key bytes.
            throw new KeyMaterialException(pem.origin() + " is not valid PEM: " + e.getMessage(), e);
        }
        return blocks;
    }

    private static X509Certificate certificate(X509CertificateHolder holder, PemText origin)
            throws KeyMaterialException {
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new KeyMaterialException("unreadable certificate in " + origin.origin() + ": " + e.getMessage(), e);
        }
    }

    /** The private key in {@code block}, or null if the block is something else (a certificate, EC parameters). */
    private static PrivateKeyInfo privateKeyInfo(Object block, PemText origin, char[] password)
            throws KeyMaterialException {
        try {
            if (block instanceof PrivateKeyInfo plain) {
                return plain;
            } else if (block instanceof PEMKeyPair pair) {
                return pair.getPrivateKeyInfo();
            } else if (block instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                return encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(BouncyCastle.PROVIDER).build(required(password, origin)));
            } else if (block instanceof PEMEncryptedKeyPair encrypted) {
                return encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                        .setProvider(BouncyCastle.PROVIDER).build(required(password, origin))).getPrivateKeyInfo();
            }
            return null;
        } catch (PKCSException | IOException e) {
            throw new KeyMaterialException("cannot decrypt the private key in " + origin.origin()
                    + ": wrong .private.key.password, or a damaged file", e);
        } catch (OperatorCreationException e) {
            throw new KeyMaterialException("unsupported encryption of the private key in " + origin.origin()
                    + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(PrivateKeyInfo info, PemText origin) throws KeyMaterialException {
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (PEMException e) {
            throw new KeyMaterialException("unsupported private key in " + origin.origin() + ": " + e.getMessage(), e);
        }
    }

    private static char[] required(char[] password, PemText origin) throws KeyMaterialException {
        if (password == null || password.length == 0) {
            throw new KeyMaterialException("the private key in " + origin.origin()
                    + " is encrypted; configure .private.key.password");
        }
        return password;
    }

    /** Created on first use: only encrypted keys need it. */
    private static final class BouncyCastle {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }
}
