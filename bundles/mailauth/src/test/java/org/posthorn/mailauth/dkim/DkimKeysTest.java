package org.posthorn.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.filter.HeaderField;

/** Key files as admins bring them: PKCS#1 and PKCS#8 PEM, and what is refused. */
class DkimKeysTest {

    @TempDir
    Path folder;

    @Test
    void readsTraditionalRsaAndPkcs8Ed25519Keys() throws Exception {
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        String pkcs1 = pem(rsa);
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(DkimKeys.readPrivateKey(new StringReader(pkcs1)).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());

        String ed25519 = DkimKeys.generate(DkimAlgorithm.ED25519_SHA256).privateKeyPem();
        assertThat(ed25519).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(DkimAlgorithm.forKey(DkimKeys.readPrivateKey(new StringReader(ed25519)))).isEqualTo(DkimAlgorithm.ED25519_SHA256);
    }

    @Test
    void refusesWhatIsNoUsablePrivateKey() throws Exception {
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();

        assertThatThrownBy(() -> DkimKeys.readPrivateKey(new StringReader(pem(ec))))
                .isInstanceOf(IOException.class).hasMessageStartingWith("not an RSA or Ed25519 key");
        assertThatThrownBy(() -> DkimKeys.readPrivateKey(new StringReader("not a key")))
                .isInstanceOf(IOException.class).hasMessageStartingWith("no unencrypted private key in PEM");
    }

    @Test
    void keyRingSkipsUnreadableFilesAndSeesNewKeys() throws Exception {
        KeyRing ring = new KeyRing(folder, Map.of());
        assertThat(ring.keys("example.org")).isEmpty();

        Files.createDirectories(folder.resolve("example.org"));
        Files.writeString(folder.resolve("example.org/broken.pem"), "garbage");
        DkimKeys.writePrivateKey(folder.resolve("example.org/good.pem"), DkimKeys.generate(DkimAlgorithm.ED25519_SHA256).privateKeyPem());

        assertThat(ring.keys("example.org")).extracting(DkimKey::selector).containsExactly("good");
    }

    @Test
    void signatureValueHasItsTagsInOrderAndASignatureThatCanBeFolded() throws Exception {
        DkimKey key = new DkimKey("example.org", "s1", KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate());
        List<HeaderField> headers = List.of(new HeaderField("From", "a@example.org"));
        DkimSigner signer = new DkimSigner(List.of("from"), List.of());

        String value = signer.sign(key, headers, new byte[32], Instant.ofEpochSecond(1));

        assertThat(value).startsWith("v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1; t=1; h=from; bh=");
        assertThat(value.substring(value.indexOf("b=", value.indexOf("bh=") + 3))).matches("b=[A-Za-z0-9+/= ]+");
    }

    private static String pem(KeyPair pair) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pair);
        }
        return out.toString();
    }
}
