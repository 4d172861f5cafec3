package org.posthorn.mailauth.dkim;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * DKIM key files and key records: PEM private keys read and written with Bouncy Castle, the
 * keys themselves used through the JDK's RSA and Ed25519 implementations.
 */
public final class DkimKeys {

    /** RFC 8301 §3.2: signers use at least 1024 bits, and should use 2048. */
    public static final int RSA_BITS = 2048;
    /** RFC 8301 §3.2: verifiers must not accept keys shorter than this. */
    public static final int MIN_RSA_BITS = 1024;
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private DkimKeys() {
    }

    /** A freshly generated private key file and the key record to publish for it. */
    public record Generated(String privateKeyPem, String txtRecord) {
    }

    /**
     * Reads a PEM private key: PKCS#8 ({@code PRIVATE KEY}, RSA or Ed25519, as
     * {@code openssl genpkey} writes) or PKCS#1 ({@code RSA PRIVATE KEY}).
     *
     * @throws IOException if the file cannot be read or holds no RSA or Ed25519 private key
     */
    public static PrivateKey readPrivateKey(Reader pem) throws IOException {
        Object object;
        try (PEMParser parser = new PEMParser(pem)) {
            object = parser.readObject();
        }
        PrivateKeyInfo info;
        if (object instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (object instanceof PrivateKeyInfo pki) {
            info = pki;
        } else {
            throw new IOException("no unencrypted private key in PEM (found " + (object == null ? "nothing" : object.getClass().getSimpleName()) + ")");
        }
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm = oid.equals(EdECObjectIdentifiers.id_Ed25519) ? "Ed25519"
                : oid.equals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption) ? "RSA" : null;
        if (algorithm == null) {
            throw new IOException("not an RSA or Ed25519 key: " + oid);
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException("unusable " + algorithm + " key: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return readPrivateKey(reader);
        }
    }

    /** Generates a key pair with Bouncy Castle: 2048-bit RSA or Ed25519. */
    public static Generated generate(DkimAlgorithm algorithm) throws IOException {
        SecureRandom random = new SecureRandom();
        AsymmetricCipherKeyPair pair;
        String publicKey;
        if (algorithm == DkimAlgorithm.RSA_SHA256) {
            RSAKeyPairGenerator generator = new RSAKeyPairGenerator();
            generator.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), random, RSA_BITS, 112));
            pair = generator.generateKeyPair();
            // RFC 6376 §3.6.1: p= is the DER SubjectPublicKeyInfo, base64
            publicKey = Base64.getEncoder().encodeToString(
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic()).getEncoded());
        } else {
            Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
            generator.init(new Ed25519KeyGenerationParameters(random));
            pair = generator.generateKeyPair();
            // RFC 8463 §4: p= is the bare 32-byte public key, base64
            publicKey = Base64.getEncoder().encodeToString(((Ed25519PublicKeyParameters) pair.getPublic()).getEncoded());
        }
        StringWriter pem = new StringWriter();
        try (PemWriter writer = new PemWriter(pem)) {
            writer.writeObject(new PemObject("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate()).getEncoded()));
        }
        return new Generated(pem.toString(), "v=DKIM1; k=" + algorithm.keyType() + "; p=" + publicKey);
    }

    /**
     * Writes a private key file readable by its owner only, creating missing directories.
     *
     * @throws java.nio.file.FileAlreadyExistsException if the file exists: a key in use is never overwritten
     */
    public static void writePrivateKey(Path file, String pem) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW)) {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            w.write(pem);
        }
    }

    /**
     * The public key of a key record's {@code p=} value.
     *
     * @throws GeneralSecurityException if it is not a key of that type
     */
    public static PublicKey publicKey(DkimAlgorithm algorithm, byte[] p) throws GeneralSecurityException {
        if (algorithm == DkimAlgorithm.ED25519_SHA256) {
            if (p.length != 32) {
                throw new GeneralSecurityException("an Ed25519 key has 32 bytes, not " + p.length);
            }
            byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
            System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
            System.arraycopy(p, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        }
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        try {
            return rsa.generatePublic(new X509EncodedKeySpec(p));
        } catch (GeneralSecurityException e) {
            // some publish the bare PKCS#1 RSAPublicKey instead of the SubjectPublicKeyInfo
            try {
                RSAPublicKey key = RSAPublicKey.getInstance(p);
                return rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
            } catch (RuntimeException notPkcs1) {
                throw e;
            }
        }
    }

    /** The number of bits of an RSA public key. */
    static int rsaBits(PublicKey key) {
        return ((java.security.interfaces.RSAPublicKey) key).getModulus().bitLength();
    }
}
