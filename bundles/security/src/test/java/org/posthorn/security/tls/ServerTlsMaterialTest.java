package org.posthorn.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.posthorn.security.ConfigAnnotations;
import org.posthorn.security.LogCapture;
import org.posthorn.security.tls.TestKeys.KeyFormat;

import ch.qos.logback.classic.Level;

class ServerTlsMaterialTest {

    private static final String HOST = "mail.example.test";

    @RegisterExtension
    final LogCapture log = new LogCapture();

    @TempDir
    Path dir;

    private final List<ServerTlsMaterial> activated = new ArrayList<>();

    @AfterEach
    void deactivateAll() {
        activated.forEach(ServerTlsMaterial::deactivate);
    }

    private ServerTlsMaterial activate(Map<String, Object> config) {
        ServerTlsMaterial tls = new ServerTlsMaterial(config(config), dir.resolve("data"));
        activated.add(tls);
        return tls;
    }

    private static ServerTlsMaterial.Config config(Map<String, Object> values) {
        return ConfigAnnotations.of(ServerTlsMaterial.Config.class, values);
    }

    private Map<String, Object> filesConfig() {
        return new HashMap<>(Map.of(
                "certificate", dir.resolve("fullchain.pem").toString(),
                "private_key", dir.resolve("privkey.pem").toString(),
                // checks are triggered by the tests, except in the one that tests polling
                "reload_interval_seconds", 3600));
    }

    /** Writes cert and key the way a renewal tool does: each file replaced atomically. */
    private void install(X509Certificate certificate, KeyPair keyPair) throws Exception {
        replace("fullchain.pem", TestKeys.certificatePem(certificate));
        replace("privkey.pem", TestKeys.keyPem(keyPair.getPrivate(), KeyFormat.EC_PKCS8));
    }

    /** Activated on PEM files holding {@code certificate} and its key. */
    private ServerTlsMaterial activateOn(X509Certificate certificate, KeyPair keyPair) throws Exception {
        install(certificate, keyPair);
        return activate(filesConfig());
    }

    private void replace(String name, byte[] content) throws Exception {
        Path temporary = dir.resolve(name + ".new");
        Files.write(temporary, content);
        Files.move(temporary, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static X509Certificate served(ServerTlsMaterial tls) throws Exception {
        try (TlsConnection connection = TlsConnection.open(tls)) {
            assertThat(connection.echo('x')).isEqualTo('x');
            return connection.peerCertificate();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void loadsEveryKeyFormatAndServesItOverTls(KeyFormat format) throws Exception {
        KeyPair keyPair = TestKeys.keyPair(format.algorithm);
        X509Certificate certificate = TestKeys.certificate(keyPair, HOST);
        byte[] keyPem = TestKeys.keyPem(keyPair.getPrivate(), format);
        assertThat(new String(keyPem, "US-ASCII")).contains(format.header);
        Files.write(dir.resolve("fullchain.pem"), TestKeys.certificatePem(certificate));
        Files.write(dir.resolve("privkey.pem"), keyPem);
        Map<String, Object> config = filesConfig();
        if (format.encrypted()) {
            config.put("_private_key_password", new String(TestKeys.PASSWORD));
        }

        ServerTlsMaterial tls = activate(config);

        assertThat(tls.certificateChain()).containsExactly(certificate);
        assertThat(served(tls)).isEqualTo(certificate);
        assertThat(log.all()).doesNotContain(new String(TestKeys.PASSWORD));
    }

    @Test
    void loadsAnEncryptedKeyMadeByOpenssl() throws Exception {
        // openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc \
        //     -pass pass:'openssl test key' -out openssl-ec-encrypted.key
        // openssl req -x509 -key openssl-ec-encrypted.key -passin pass:'openssl test key' \
        //     -subj /CN=openssl.example.test -addext subjectAltName=DNS:openssl.example.test -days 36500 -out openssl-ec.crt
        copyResource("openssl-ec.crt", "fullchain.pem");
        copyResource("openssl-ec-encrypted.key", "privkey.pem");
        Map<String, Object> config = filesConfig();
        config.put("_private_key_password", "openssl test key");

        ServerTlsMaterial tls = activate(config);

        assertThat(served(tls).getSubjectX500Principal().getName()).isEqualTo("CN=openssl.example.test");
        assertThat(log.messages(Level.INFO)).anySatisfy(line -> assertThat(line)
                .contains("CN=openssl.example.test").contains("[openssl.example.test]").contains("expires 2126-"));
    }

    private void copyResource(String resource, String target) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/tls/" + resource)) {
            Files.copy(in, dir.resolve(target));
        }
    }

    @Test
    void keyAndChainMayShareOneFile() throws Exception {
        KeyPair keyPair = TestKeys.keyPair("EC");
        X509Certificate certificate = TestKeys.certificate(keyPair, HOST);
        Files.write(dir.resolve("combined.pem"), TestKeys.concat(
                TestKeys.certificatePem(certificate), TestKeys.keyPem(keyPair.getPrivate(), KeyFormat.EC_PKCS8)));

        ServerTlsMaterial tls = activate(Map.of("certificate", dir.resolve("combined.pem").toString()));

        assertThat(served(tls)).isEqualTo(certificate);
    }

    @Test
    void intermediatesAreServedAfterTheLeaf() throws Exception {
        KeyPair caKeys = TestKeys.keyPair("RSA");
        X509Certificate intermediate = TestKeys.certificate(caKeys, "intermediate.example.test");
        KeyPair leafKeys = TestKeys.keyPair("EC");
        X509Certificate leaf = TestKeys.issuedBy(leafKeys, HOST, intermediate, caKeys.getPrivate());
        Files.write(dir.resolve("fullchain.pem"), TestKeys.certificatePem(leaf, intermediate));
        Files.write(dir.resolve("privkey.pem"), TestKeys.keyPem(leafKeys.getPrivate(), KeyFormat.EC_SEC1));

        ServerTlsMaterial tls = activate(filesConfig());

        assertThat(tls.certificateChain()).containsExactly(leaf, intermediate);
        try (TlsConnection connection = TlsConnection.open(tls)) {
            assertThat(connection.peerCertificates()).containsExactly(leaf, intermediate);
        }
    }

    @Test
    void chainOutOfOrderIsAClearError() throws Exception {
        KeyPair leafKeys = TestKeys.keyPair("EC");
        X509Certificate leaf = TestKeys.certificate(leafKeys, HOST);
        X509Certificate unrelated = TestKeys.certificate(TestKeys.keyPair("RSA"), "unrelated.example.test");
        Files.write(dir.resolve("fullchain.pem"), TestKeys.certificatePem(leaf, unrelated));
        Files.write(dir.resolve("privkey.pem"), TestKeys.keyPem(leafKeys.getPrivate(), KeyFormat.EC_PKCS8));

        assertThatThrownBy(() -> activate(filesConfig()))
                .hasMessageContaining("fullchain.pem are not in chain order: certificate 2 (CN=unrelated.example.test)"
                        + " did not issue certificate 1");
    }

    @Test
    void keyOfAnotherCertificateIsAClearError() throws Exception {
        Files.write(dir.resolve("fullchain.pem"), TestKeys.certificatePem(TestKeys.certificate(TestKeys.keyPair("EC"), HOST)));
        Files.write(dir.resolve("privkey.pem"), TestKeys.keyPem(TestKeys.newKeyPair("EC").getPrivate(), KeyFormat.EC_PKCS8));

        assertThatThrownBy(() -> activate(filesConfig()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("privkey.pem does not match the certificate CN=" + HOST)
                .hasMessageContaining("fullchain.pem");
    }

    @Test
    void keyOfAnotherTypeIsAClearError() throws Exception {
        Files.write(dir.resolve("fullchain.pem"), TestKeys.certificatePem(TestKeys.certificate(TestKeys.keyPair("RSA"), HOST)));
        Files.write(dir.resolve("privkey.pem"), TestKeys.keyPem(TestKeys.keyPair("Ed25519").getPrivate(), KeyFormat.ED25519_PKCS8));

        assertThatThrownBy(() -> activate(filesConfig())).hasMessageContaining("does not match the certificate");
    }

    @Test
    void encryptedKeyNeedsTheRightPassword() throws Exception {
        KeyPair keyPair = TestKeys.keyPair("EC");
        Files.write(dir.resolve("fullchain.pem"), TestKeys.certificatePem(TestKeys.certificate(keyPair, HOST)));
        Files.write(dir.resolve("privkey.pem"), TestKeys.keyPem(keyPair.getPrivate(), KeyFormat.EC_ENCRYPTED_PKCS8));

        assertThatThrownBy(() -> activate(filesConfig()))
                .hasMessageContaining("is encrypted; configure .private.key.password");
        Map<String, Object> wrong = filesConfig();
        wrong.put("_private_key_password", "not the password");
        assertThatThrownBy(() -> activate(wrong))
                .hasMessageContaining("cannot decrypt the private key in " + dir.resolve("privkey.pem"))
                .hasMessageNotContaining("not the password");
        assertThat(log.all()).doesNotContain("not the password");
    }

    @Test
    void missingOrEmptyFilesAreClearErrors() throws Exception {
        assertThatThrownBy(() -> activate(filesConfig()))
                .hasMessageContaining(dir.resolve("fullchain.pem") + " does not exist");

        Files.write(dir.resolve("fullchain.pem"), new byte[0]);
        Files.write(dir.resolve("privkey.pem"), TestKeys.keyPem(TestKeys.keyPair("EC").getPrivate(), KeyFormat.EC_PKCS8));
        assertThatThrownBy(() -> activate(filesConfig()))
                .hasMessageContaining("no certificate in " + dir.resolve("fullchain.pem"));
    }

    @Test
    void selfSignedCertificateIsMadeOnceAndKeptAcrossActivations() throws Exception {
        ServerTlsMaterial first = activate(Map.of("host_name", HOST));
        X509Certificate made = first.certificateChain().get(0);
        first.deactivate();

        ServerTlsMaterial second = activate(Map.of("host_name", HOST));

        assertThat(second.certificateChain()).containsExactly(made);
        assertThat(served(second)).isEqualTo(made);
        assertThat(made.getSubjectX500Principal().getName()).isEqualTo("CN=" + HOST);
        assertThat(made.getSubjectAlternativeNames()).containsExactly(List.of(2, HOST));
        assertThat(made.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(made.getNotAfter().toInstant()).isAfter(made.getNotBefore().toInstant().plus(Duration.ofDays(800)));
        Path tlsDirectory = dir.resolve("data").resolve("tls");
        assertThat(Files.getPosixFilePermissions(tlsDirectory.resolve(SelfSignedCertificate.KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(tlsDirectory))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.readString(tlsDirectory.resolve(SelfSignedCertificate.CERTIFICATE_FILE)))
                .startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void selfSignedCertificateIsRemadeForAnotherHostName() {
        X509Certificate first = activate(Map.of("host_name", HOST)).certificateChain().get(0);

        X509Certificate second = activate(Map.of("host_name", "imap.example.test")).certificateChain().get(0);

        assertThat(second).isNotEqualTo(first);
        assertThat(second.getSubjectX500Principal().getName()).isEqualTo("CN=imap.example.test");
    }

    @Test
    void selfSignedCertificateForAnIpAddressNamesItAsOne() throws Exception {
        X509Certificate made = activate(Map.of("host_name", "192.0.2.25")).certificateChain().get(0);

        assertThat(made.getSubjectAlternativeNames()).containsExactly(List.of(7, "192.0.2.25"));
    }

    @Test
    void withoutAnyConfigurationTheMachinesHostNameIsUsed() throws Exception {
        ServerTlsMaterial tls = activate(Map.of());

        assertThat(tls.certificateChain()).singleElement().extracting(X509Certificate::getSubjectX500Principal)
                .hasToString("CN=" + InetAddress.getLocalHost().getCanonicalHostName());
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void renewedCertificateIsServedToNewConnectionsWhileOpenOnesKeepTheirs() throws Exception {
        KeyPair oldKeys = TestKeys.newKeyPair("EC");
        X509Certificate old = TestKeys.certificate(oldKeys, HOST);
        ServerTlsMaterial tls = activateOn(old, oldKeys);
        try (TlsConnection open = TlsConnection.open(tls)) {
            KeyPair newKeys = TestKeys.newKeyPair("EC");
            X509Certificate renewed = TestKeys.certificate(newKeys, HOST);
            install(renewed, newKeys);

            tls.checkForChanges();

            assertThat(tls.certificateChain()).containsExactly(renewed);
            assertThat(served(tls)).isEqualTo(renewed);
            assertThat(open.echo('y')).isEqualTo('y');
            assertThat(open.peerCertificate()).isEqualTo(old);
        }
    }

    @Test
    void renewalIsFoundByPolling() throws Exception {
        KeyPair keys = TestKeys.newKeyPair("EC");
        install(TestKeys.certificate(keys, HOST), keys);
        Map<String, Object> config = filesConfig();
        config.put("reload_interval_seconds", 1);
        ServerTlsMaterial tls = activate(config);

        X509Certificate renewed = TestKeys.certificate(keys, HOST);
        install(renewed, keys);

        await().atMost(Duration.ofSeconds(10)).until(() -> tls.certificateChain().get(0).equals(renewed));
    }

    @Test
    void halfWrittenRenewalKeepsTheCurrentCertificateAndIsRetried() throws Exception {
        KeyPair keys = TestKeys.newKeyPair("EC");
        X509Certificate current = TestKeys.certificate(keys, HOST);
        ServerTlsMaterial tls = activateOn(current, keys);
        X509Certificate renewed = TestKeys.certificate(keys, HOST);
        byte[] renewedPem = TestKeys.certificatePem(renewed);
        Files.write(dir.resolve("fullchain.pem"), Arrays.copyOf(renewedPem, renewedPem.length / 2));

        tls.checkForChanges();
        tls.checkForChanges();

        assertThat(served(tls)).isEqualTo(current);
        assertThat(log.messages(Level.ERROR)).singleElement().asString()
                .contains("Could not reload the TLS material")
                .contains(dir.resolve("fullchain.pem") + " is not valid PEM")
                .contains("Keeping the current certificate (subject CN=" + HOST);

        Files.write(dir.resolve("fullchain.pem"), renewedPem);
        tls.checkForChanges();

        assertThat(served(tls)).isEqualTo(renewed);
    }

    @Test
    void certificateRenewedBeforeItsKeyWaitsForTheKey() throws Exception {
        KeyPair oldKeys = TestKeys.newKeyPair("EC");
        X509Certificate old = TestKeys.certificate(oldKeys, HOST);
        ServerTlsMaterial tls = activateOn(old, oldKeys);
        KeyPair newKeys = TestKeys.newKeyPair("EC");
        X509Certificate renewed = TestKeys.certificate(newKeys, HOST);

        replace("fullchain.pem", TestKeys.certificatePem(renewed));
        tls.checkForChanges();
        assertThat(served(tls)).isEqualTo(old);
        assertThat(log.messages(Level.ERROR)).singleElement().asString().contains("does not match the certificate");

        replace("privkey.pem", TestKeys.keyPem(newKeys.getPrivate(), KeyFormat.EC_PKCS8));
        tls.checkForChanges();
        assertThat(served(tls)).isEqualTo(renewed);
    }

    @Test
    void certificateExpiringWithinTwoWeeksIsWarnedAbout() throws Exception {
        KeyPair keys = TestKeys.keyPair("EC");
        activateOn(TestKeys.certificate(keys, HOST, Duration.ofDays(5)), keys);

        assertThat(log.messages(Level.WARN)).singleElement().asString()
                .contains("CN=" + HOST).contains("in less than 14 days");
    }

    @Test
    void onlyTls12And13AreEnabledWithModernSuites() throws Exception {
        ServerTlsMaterial tls = activate(Map.of("host_name", HOST));

        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.cipherSuites()).isNotEmpty().allSatisfy(suite -> assertThat(suite)
                .matches("TLS_(AES|CHACHA20)_.*|TLS_ECDHE_(ECDSA|RSA)_WITH_.*(GCM|POLY1305).*"));
        assertThat(tls.cipherSuites()).contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        try (TlsConnection tls13 = TlsConnection.open(tls)) {
            assertThat(tls13.protocol()).isEqualTo("TLSv1.3");
            assertThat(tls13.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
        }
        try (TlsConnection tls12 = TlsConnection.open(tls, "TLSv1.2")) {
            assertThat(tls12.protocol()).isEqualTo("TLSv1.2");
            assertThat(tls12.cipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        }
        assertThatThrownBy(() -> TlsConnection.open(tls, "TLSv1.1")).isInstanceOf(SSLException.class);
    }

    @Test
    void olderProtocolsAreNotEnabledEvenWhenConfigured() {
        ServerTlsMaterial tls = activate(Map.of("host_name", HOST, "protocols", new String[] {"TLSv1.1, TLSv1.3"},
                "cipher_suites", new String[] {"TLS_AES_128_GCM_SHA256 TLS_NO_SUCH_SUITE"}));

        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(tls.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(log.messages(Level.WARN)).singleElement().asString().contains("Ignoring TLS protocol TLSv1.1");
    }

    @Test
    void configurationChangeSwapsTheMaterialInPlace() throws Exception {
        ServerTlsMaterial tls = activate(Map.of("host_name", HOST));
        KeyPair keys = TestKeys.keyPair("Ed25519");
        X509Certificate configured = TestKeys.certificate(keys, HOST);
        replace("fullchain.pem", TestKeys.certificatePem(configured));
        replace("privkey.pem", TestKeys.keyPem(keys.getPrivate(), KeyFormat.ED25519_PKCS8));

        tls.modified(config(filesConfig()));

        assertThat(served(tls)).isEqualTo(configured);
    }

    @Test
    void brokenConfigurationChangeKeepsTheCurrentMaterial() throws Exception {
        ServerTlsMaterial tls = activate(Map.of("host_name", HOST));
        X509Certificate current = tls.certificateChain().get(0);

        tls.modified(config(filesConfig()));

        assertThat(served(tls)).isEqualTo(current);
        assertThat(log.messages(Level.ERROR)).singleElement().asString()
                .contains("could not be applied").contains("does not exist");
    }

    @Test
    void passwordIsAPrivatePropertyThatDsDoesNotPublishWithTheService() throws Exception {
        // The descriptor bnd generated from the annotations, in target/classes before the tests run.
        try (InputStream xml = getClass().getResourceAsStream("/OSGI-INF/" + ServerTlsMaterial.class.getName() + ".xml")) {
            String descriptor = new String(xml.readAllBytes(), "UTF-8");
            assertThat(descriptor).contains("name=\".private.key.password\"").doesNotContain("name=\"private.key.password\"");
        }
    }

    @Test
    void deactivationStopsTheReloadThread() {
        ServerTlsMaterial tls = activate(Map.of("host_name", HOST));
        tls.deactivate();

        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("posthorn-tls-reload")));
    }
}
