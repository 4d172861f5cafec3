package org.posthorn.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.mailauth.dkim.DkimSigner;
import org.posthorn.mailauth.dkim.KeyRing;

/**
 * Our signatures checked by an independent implementation: dkimpy (Debian package
 * python3-dkim, which .ci/run installs), for rsa-sha256 and ed25519-sha256, one key at a time.
 * Without dkimpy the test is skipped, except in CI (CI=true), where it fails.
 */
class PythonDkimTest {

    @TempDir
    static Path folder;
    private static String python;

    @BeforeAll
    static void findDkimpy() throws Exception {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            if (run(List.of(candidate, "-c", "import dkim, nacl"), folder.resolve("probe.out")) == 0) {
                python = candidate;
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("python3-dkim is not installed; .ci/run installs it");
        }
        assumeTrue(false, "dkimpy is not installed (apt-get install python3-dkim); skipping");
    }

    @Test
    void dkimpyAcceptsOurRsaSha256Signature() throws Exception {
        assertDkimpyAccepts("rsa");
    }

    @Test
    void dkimpyAcceptsOurEd25519Sha256Signature() throws Exception {
        assertDkimpyAccepts("ed25519");
    }

    @Test
    void dkimpyRejectsOurSignatureOnceTheBodyChanged() throws Exception {
        Signed signed = sign("rsa");
        String tampered = new String(signed.message(), StandardCharsets.UTF_8).replace("usual place", "other place");

        assertThat(dkimpy(tampered.getBytes(StandardCharsets.UTF_8), signed.records())).contains("signature 0: fail");
    }

    private void assertDkimpyAccepts(String type) throws Exception {
        Signed signed = sign(type);
        String output = dkimpy(signed.message(), signed.records());
        assertThat(output).as(output).contains("signature 0: pass").doesNotContain("fail");
    }

    private record Signed(byte[] message, Map<String, String> records) {
    }

    private static Signed sign(String type) throws Exception {
        Path keys = Files.createTempDirectory(folder, type);
        KeyRing ring = new KeyRing(keys, Map.of());
        String record = DkimSigningFilterTest.record(new DkimKeygenCommand(ring).generate("example.org", "sel-" + type, type));
        TestMessage message = DkimSigningFilterTest.submitted(DkimSigningFilterTest.MESSAGE);
        new DkimSigningFilter(ring, new DkimSigner(List.of("from", "to", "subject", "date", "message-id", "mime-version",
                "content-type", "cc"), List.of("from", "subject", "cc")), java.time.Clock.systemUTC()).filter(message);
        assertThat(message.header("DKIM-Signature")).hasSize(1);
        return new Signed(message.bytes(), Map.of("sel-" + type + "._domainkey.example.org", record));
    }

    private static String dkimpy(byte[] message, Map<String, String> records) throws Exception {
        Path file = Files.createTempFile(folder, "message", ".eml");
        Files.write(file, message);
        Path script = folder.resolve("dkim_verify.py");
        if (!Files.exists(script)) {
            try (InputStream in = PythonDkimTest.class.getResourceAsStream("/dkim_verify.py")) {
                Files.copy(in, script);
            }
        }
        List<String> command = new ArrayList<>(List.of(python, script.toString(), file.toString()));
        records.forEach((name, record) -> command.add(name + "=" + record));
        Path output = folder.resolve("dkimpy.out");
        run(command, output);
        return Files.readString(output);
    }

    private static int run(List<String> command, Path output) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException notFound) {
            return -1;
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("python finished").isTrue();
        return process.exitValue();
    }
}
