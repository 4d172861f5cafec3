package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code swaks} commands of docs/smtp.md, run with the real binary (Debian package swaks,
 * which CI installs) against a test server: port 25, 587 with STARTTLS and AUTH, and 465.
 */
class SwaksTest {

    @TempDir
    Path folder;
    private TestServer server;

    @BeforeAll
    static void swaksIsInstalled() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(dir, "swaks"));
        }
        assumeTrue(found, "swaks is not installed (apt-get install swaks); skipping the swaks flows");
    }

    @BeforeEach
    void start() {
        server = TestServer.start(folder);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String swaks(InetSocketAddress address, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("swaks", "--server", address.getHostString(),
                "--port", Integer.toString(address.getPort()), "--helo", "client.example",
                "--timeout", "60", "--header", "Subject: swaks test"));
        command.addAll(List.of(options));
        Path output = folder.resolve("swaks.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("swaks finished").isTrue();
        String transcript = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(transcript).isZero();
        return transcript;
    }

    @Test
    void port25DeliversToALocalUser() throws Exception {
        String transcript = swaks(server.mx(), "--from", "friend@elsewhere.example", "--to", TestUsers.ALICE);
        assertThat(transcript).contains("<-  250 2.0.0 Ok: queued as Q1");
        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.envelope().recipients().get(0).address()).hasToString(TestUsers.ALICE);
        assertThat(queued.text()).contains("Subject: swaks test");
    }

    @Test
    void port587WithStartTlsAndAuthRelays() throws Exception {
        String transcript = swaks(server.submission(), "--tls", "--auth", "PLAIN",
                "--auth-user", TestUsers.ALICE, "--auth-password", TestUsers.ALICE_PASSWORD,
                "--from", TestUsers.ALICE, "--to", "friend@elsewhere.example");
        assertThat(transcript).contains("<-  220 2.0.0 Ready to start TLS").contains("235 2.7.0 Authentication successful");
        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.envelope().origin().protocol()).isEqualTo("ESMTPSA");
        assertThat(queued.envelope().origin().authenticatedUser()).isEqualTo(TestUsers.ALICE);
    }

    @Test
    void port465WithImplicitTlsAndAuthLogin() throws Exception {
        swaks(server.submissions(), "--tls-on-connect", "--auth", "LOGIN",
                "--auth-user", TestUsers.ALICE, "--auth-password", TestUsers.ALICE_PASSWORD,
                "--from", TestUsers.ALICE, "--to", TestUsers.BOB);
        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.envelope().origin().listener()).isEqualTo("submissions");
        assertThat(queued.envelope().origin().tls()).startsWith("TLSv1.");
    }
}
