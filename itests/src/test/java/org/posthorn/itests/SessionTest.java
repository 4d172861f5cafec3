package org.posthorn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs {@code scripts/session.sh}: the built distribution started with {@code bin/posthorn}, a
 * domain and user made with {@code bin/posthorn shell}, mail sent with swaks over the MX,
 * submission and implicit-TLS ports, read with Python's imaplib over IMAPS, read again over IMAP
 * with STARTTLS after the IMAP bundle was restarted from the shell, and Posthorn stopped. The
 * script checks each step and fails at the first that goes wrong.
 */
class SessionTest {

    @Test
    void anAdminSessionFromFirstStartToStop() throws Exception {
        Path home = Path.of(System.getProperty("posthorn.distribution", "../distribution/target/posthorn"))
                .toAbsolutePath().normalize();
        Path instance = Path.of("target", "instances", "session").toAbsolutePath();
        Process script = new ProcessBuilder("bash", Path.of("scripts", "session.sh").toString(), home.toString(),
                instance.toString()).redirectErrorStream(true).start();
        script.getOutputStream().close();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(5, TimeUnit.MINUTES)).as("session.sh finished").isTrue();

        assertThat(script.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("Account alice@example.test added")
                .contains("imaps: INBOX holds port 25, port 465, port 587")
                .contains("starttls: INBOX holds port 25, port 465, port 587")
                .endsWith("session.sh: every step passed\n");
        List<String> problems = Files.readAllLines(instance.resolve("log/posthorn.log")).stream()
                .filter(line -> line.contains(" ERROR ")).toList();
        assertThat(problems).as("errors in posthorn.log").isEmpty();
        assertThat(Files.readString(instance.resolve("log/posthorn.log"))).doesNotContain("correct horse");
    }
}
