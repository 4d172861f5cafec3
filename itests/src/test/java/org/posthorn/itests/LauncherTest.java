package org.posthorn.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bin/posthorn} from the built distribution the way an admin or a service manager
 * does, with every folder moved out of the distribution through the environment.
 */
class LauncherTest {

    private final Path home = Path.of(System.getProperty("posthorn.distribution", "../distribution/target/posthorn"))
            .toAbsolutePath().normalize();
    private Path root;
    private Map<String, String> env;

    @BeforeEach
    void prepareFolders() throws IOException {
        root = Path.of("target", "instances", "launcher").toAbsolutePath();
        PosthornDistribution.deleteTree(root);
        Files.createDirectories(root);
        PosthornDistribution.copyTree(home.resolve("conf"), root.resolve("conf"));
        PosthornDistribution.confineListeners(root.resolve("conf"));
        env = Map.of(
                "POSTHORN_CONF", root.resolve("conf").toString(),
                "POSTHORN_DATA", root.resolve("var/data").toString(),
                "POSTHORN_LOG", root.resolve("var/log").toString(),
                "POSTHORN_CACHE", root.resolve("var/cache").toString(),
                "POSTHORN_DEPLOY", root.resolve("deploy").toString());
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        run("stop");
    }

    @Test
    void startStatusStopWithFoldersFromTheEnvironment() throws Exception {
        assertThat(run("status").exitCode).as("not running yet").isEqualTo(3);

        Result started = run("start");
        assertThat(started.exitCode).isZero();
        assertThat(started.output).contains("Posthorn started");
        Path log = root.resolve("var/log/posthorn.log");
        awaitLogLine(log, "Derby database ready at " + root.resolve("var/data/derby"));
        assertThat(run("status").output).contains("Posthorn is running");
        assertThat(jvmArguments()).as("the default JVM options")
                .contains("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
        assertThat(root.resolve("var/cache")).isDirectory();
        assertThat(root.resolve("deploy")).isDirectory();

        Result stopped = run("stop");
        assertThat(stopped.exitCode).isZero();
        assertThat(stopped.output).contains("Posthorn stopped");
        assertThat(Files.readString(log)).contains("shut down");
        assertThat(root.resolve("var/data/derby/db.lck")).as("Derby left no lock").doesNotExist();
        assertThat(run("status").exitCode).isEqualTo(3);

        // a second start on the same data comes up cleanly, with the heap and the collector of JAVA_OPTS
        // in place of the defaults (two collectors, or -Xms above -Xmx, would stop the JVM from starting)
        env = new HashMap<>(env);
        env.put("JAVA_OPTS", "-Xmx200m -XX:+UseParallelGC");
        assertThat(run("start").exitCode).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> count(log, "Derby database ready") == 2);
        assertThat(jvmArguments()).contains("-Xmx200m", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError")
                .doesNotContain("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");
        assertThat(run("stop").exitCode).isZero();

        List<String> problems = Files.readAllLines(log).stream()
                .filter(l -> l.contains(" ERROR ") || l.contains(" WARN ")).toList();
        assertThat(problems).as("warnings or errors in " + log).isEmpty();
        assertThat(Files.readString(root.resolve("var/log/console.log")))
                .doesNotContain("ERROR").doesNotContain("Exception");
    }

    @Test
    void helpDescribesTheCommandsAndUnknownOnesAreRefused() throws Exception {
        Result help = run("--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.output).contains("--no-console").contains("POSTHORN_DATA").contains("-Xmx512m");
        Result wrong = run("frobnicate");
        assertThat(wrong.exitCode).isEqualTo(2);
        assertThat(wrong.output).contains("usage:");
    }

    private void awaitLogLine(Path log, String line) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log) && Files.readString(log).contains(line));
    }

    /** The arguments of the running JVM, as {@code ps} shows them. */
    private List<String> jvmArguments() throws IOException {
        long pid = Long.parseLong(Files.readString(root.resolve("var/data/posthorn.pid")).strip());
        return ProcessHandle.of(pid).flatMap(p -> p.info().arguments()).map(List::of).orElseThrow();
    }

    private static long count(Path log, String text) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
    }

    private record Result(int exitCode, String output) { }

    private Result run(String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/posthorn").toString(), command)
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("bin/posthorn " + command + " finished").isTrue();
        return new Result(p.exitValue(), output);
    }
}
