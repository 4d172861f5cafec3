package org.posthorn.security.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate a fresh installation serves until the admin configures a real one: made
 * for the host name on first start and kept as PEM files, so clients that accepted it once
 * see the same certificate after every restart.
 */
final class SelfSignedCertificate {

    static final String CERTIFICATE_FILE = "self-signed.crt";
    static final String KEY_FILE = "self-signed.key";
    // 825 days: the longest validity Apple platforms accept for a TLS server certificate,
    // including one a user chose to trust.
    static final Duration VALIDITY = Duration.ofDays(825);
    // Tolerates clients whose clock is a little behind ours.
    private static final Duration BACKDATING = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificate() {
    }

    /**
     * The self-signed material in {@code directory}, made first if it is missing, unreadable,
     * expired, or for another host name.
     */
    static KeyMaterial loadOrCreate(Path directory, String hostName) throws KeyMaterialException {
        Path certificate = directory.resolve(CERTIFICATE_FILE);
        Path key = directory.resolve(KEY_FILE);
        if (Files.exists(certificate) || Files.exists(key)) {
            try {
                KeyMaterial stored = PemKeyMaterial.read(
                        new PemText(certificate.toString(), Files.readAllBytes(certificate)),
                        new PemText(key.toString(), Files.readAllBytes(key)), null);
                String unusable = unusableReason(stored, hostName);
                if (unusable == null) {
                    return stored;
                }
                LOG.info("Replacing the self-signed certificate in {}: {}", directory, unusable);
            } catch (IOException | KeyMaterialException e) {
                LOG.warn("Replacing the self-signed certificate in {}: cannot read it ({})", directory, e.toString());
            }
        }
        return create(directory, hostName);
    }

    private static String unusableReason(KeyMaterial stored, String hostName) {
        if (stored.expiry().isBefore(Instant.now())) {
            return "it expired on " + stored.expiry();
        }
        String commonName = commonName(stored.leaf());
        if (!hostName.equalsIgnoreCase(commonName)) {
            return "it is for " + commonName + ", not " + hostName;
        }
        return null;
    }

    private static String commonName(X509Certificate certificate) {
        try {
            X500Name subject = new JcaX509CertificateHolder(certificate).getSubject();
            return subject.getRDNs(BCStyle.CN).length == 0
                    ? "" : IETFUtils.valueToString(subject.getRDNs(BCStyle.CN)[0].getFirst().getValue());
        } catch (GeneralSecurityException e) {
            return "";
        }
    }

    private static KeyMaterial create(Path directory, String hostName) throws KeyMaterialException {
        KeyPair keyPair;
        try {
            // EC P-256: generated in milliseconds (RSA 2048 can take a second), and every client
            // that can speak TLS 1.2 with ECDHE + AEAD, the only ones we accept, supports ECDSA P-256.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            keyPair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new KeyMaterialException("cannot generate an EC P-256 key: " + e.getMessage(), e);
        }
        Instant now = Instant.now();
        X509Certificate certificate = issue(keyPair, hostName, now.minus(BACKDATING), now.plus(VALIDITY));
        try {
            createPrivateDirectory(directory);
            // Key first: a crash in between leaves no certificate without its key.
            writeAtomically(directory.resolve(KEY_FILE), pem("PRIVATE KEY", keyPair.getPrivate().getEncoded()), true);
            writeAtomically(directory.resolve(CERTIFICATE_FILE), pem("CERTIFICATE", certificate.getEncoded()), false);
        } catch (IOException | GeneralSecurityException e) {
            throw new KeyMaterialException("cannot store the self-signed certificate in " + directory + ": " + e, e);
        }
        LOG.info("Generated a self-signed certificate for {} in {}; configure certificate and private.key"
                + " to use one that clients trust", hostName, directory);
        return KeyMaterial.matched(keyPair.getPrivate(), List.of(certificate), KEY_FILE, CERTIFICATE_FILE);
    }

    /**
     * A server certificate for {@code hostName} (a DNS name or an IP address literal), signed
     * with its own key.
     */
    static X509Certificate issue(KeyPair keyPair, String hostName, Instant notBefore, Instant notAfter)
            throws KeyMaterialException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostName).build();
        // RFC 5280 §4.1.2.2: positive, at most 20 octets; random so that no two are alike.
        BigInteger serial = new BigInteger(159, RANDOM);
        int nameType = IPAddress.isValid(hostName) ? GeneralName.iPAddress : GeneralName.dNSName;
        boolean rsa = keyPair.getPrivate().getAlgorithm().equals("RSA");
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(notBefore), Date.from(notAfter), subject, keyPair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(nameType, hostName)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(rsa ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keyPair.getPublic()));
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(KeyMaterial.signatureAlgorithm(keyPair.getPrivate()))
                            .build(keyPair.getPrivate())));
        } catch (CertIOException | GeneralSecurityException | OperatorCreationException e) {
            throw new KeyMaterialException("cannot make a certificate for " + hostName + ": " + e.getMessage(), e);
        }
    }

    static byte[] pem(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory.toAbsolutePath().getParent());
        if (isPosix(directory)) {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(directory);
        }
    }

    /** Written to a temporary file first and moved over the target, so readers never see half a file. */
    private static void writeAtomically(Path target, byte[] content, boolean secret) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (isPosix(target)) {
            // Created with its final permissions: the key is never readable by others, not even briefly.
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } else {
            Files.createFile(temporary);
        }
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
