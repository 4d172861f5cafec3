package org.posthorn.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.shell.client.ShellClient;

/**
 * {@code bin/posthorn shell} end to end: the client in its own JVM, as the script runs it,
 * against the socket server in front of a real Gogo processor with the commands.
 */
class ShellSocketTest {

    @TempDir
    static Path folder;
    private static ShellFixture shell;
    private static ShellSocket server;
    private static Path socket;

    @BeforeAll
    static void start() throws Exception {
        shell = new ShellFixture(folder);
        socket = folder.resolve("data/shell.sock");
        server = new ShellSocket(shell.processor, socket, 2);
    }

    @AfterAll
    static void stop() {
        server.close();
        shell.close();
    }

    private record Run(int status, String out, String err) { }

    private static Run client(String stdin, String... args) throws Exception {
        return client(socket, stdin, args);
    }

    /** Runs the client in its own JVM, as bin/posthorn shell does, in the test's folder. */
    private static Run client(Path socket, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Path.of(ShellClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                ShellClient.class.getName(), socket.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(folder.toFile()).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out, err);
    }

    @Test
    void theSocketIsForItsOwnerOnly() throws IOException {
        assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aCommandRunsAndItsPasswordIsReadFromStdinWithoutAppearingAnywhere() throws Exception {
        assertThat(client("", "-c", "posthorn:domain-add socket.example").status()).isZero();

        Run added = client("piped secret\n", "-c", "posthorn:user-add kim@socket.example");

        assertThat(added.status()).isZero();
        assertThat(added.out()).isEqualTo("Account kim@socket.example added\n");
        assertThat(shell.directory.authenticate("kim@socket.example", "piped secret".toCharArray())).isPresent();
        Run listed = client("", "-c", "posthorn:user-list socket.example");
        assertThat(listed.out()).contains("kim@socket.example").doesNotContain("secret");
    }

    @Test
    void failuresAndUsageErrorsGoToStderrWithTheirExitStatus() throws Exception {
        Run failed = client("", "-c", "posthorn:domain-del no-such.example");
        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.err()).contains("no-such.example");

        Run usage = client("", "-c", "posthorn:user-add");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).startsWith("posthorn:user-add: missing arguments\nusage: posthorn:user-add ADDRESS");

        Run unknown = client("", "-c", "posthorn:no-such-command");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("Command not found");
    }

    @Test
    void linesOfStdinRunInTurnAndTheFirstFailureEndsTheScript() throws Exception {
        Run script = client(String.join("\n",
                "# a comment",
                "posthorn:domain-add script.example",
                "",
                "posthorn:domain-list",
                "posthorn:domain-add script.example",
                "posthorn:domain-del script.example",
                ""));
        assertThat(script.status()).isEqualTo(1);
        assertThat(script.out()).startsWith("Domain script.example added\n").contains("script.example\n")
                .doesNotContain("removed");
        assertThat(script.err()).contains("domain exists: script.example");
    }

    @Test
    void withoutARunningInstanceTheClientSaysSo() throws Exception {
        Run run = client(folder.resolve("nothing.sock"), "", "-c", "posthorn:status");
        assertThat(run.status()).isEqualTo(3);
        assertThat(run.err()).contains("Posthorn is not running");
    }
}
