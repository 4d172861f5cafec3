package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.queue.EntryState;
import org.posthorn.queue.dispatch.QueueSettings;
import org.posthorn.queue.filter.FilterChain;
import org.posthorn.queue.index.EntryRecord;
import org.posthorn.queue.index.QueueIndex;

/**
 * kill -9 in the middle of enqueueing: a child JVM enqueues from several threads and is killed
 * with SIGKILL at a random moment, three times on the same folder. Every message the child was
 * told was accepted must be there, complete; no entry may be half there.
 */
class CrashRecoveryTest {

    private static final Pattern ACK = Pattern.compile("ACK (\\w+) (\\d+) END");

    @TempDir
    Path folder;

    @Test
    void everyAcknowledgedMessageSurvivesSigkillAndNoEntryIsPartial() throws Exception {
        Random random = new Random();
        Map<String, Integer> acknowledged = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            acknowledged.putAll(runAndKill(round * 1_000_000, 10 + random.nextInt(90), round));
        }

        try (TestDatabase database = TestDatabase.open(folder);
             QueueEngine restarted = new QueueEngine(database.dataSource(), folder.resolve("spool"),
                     QueueSettings.defaults("crash.test"), Clock.systemUTC(), "restarted", () -> null, () -> null,
                     () -> null, new FilterChain())) {
            restarted.start();
            assertThat(restarted.admin().counts().get(EntryState.HELD))
                    .as("the start-up check found no entry without its spool file").isZero();
            QueueIndex index = new QueueIndex(database.dataSource());
            for (Map.Entry<String, Integer> ack : acknowledged.entrySet()) {
                Path file = folder.resolve("spool").resolve(ack.getKey());
                assertThat(index.load(ack.getKey())).as("acknowledged entry %s", ack.getKey()).isPresent();
                assertThat(Files.readAllBytes(file)).as("spool file of %s", ack.getKey())
                        .isEqualTo(CrashChild.message(ack.getValue()));
            }
            for (String id : index.ids()) {
                EntryRecord entry = index.load(id).orElseThrow();
                Path file = folder.resolve("spool").resolve(id);
                assertThat(file).as("spool file of entry %s", id).exists();
                assertThat(Files.size(file)).as("size of entry %s", id).isEqualTo(entry.size());
                assertThat(entry.recipients()).as("recipient rows of entry %s", id).hasSize(2);
            }
            assertThat(index.ids()).containsAll(acknowledged.keySet());
        }
    }

    /** Starts the child, waits for {@code acks} acknowledgements, kills it; returns all it acknowledged. */
    private Map<String, Integer> runAndKill(int firstMessage, int acks, int round) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", CrashChild.class.getName(), folder.toString(),
                Integer.toString(firstMessage))
                .redirectError(folder.resolve("child-" + round + ".err").toFile())
                .start();
        Map<String, Integer> acknowledged = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = ACK.matcher(line);
                if (m.matches()) {
                    acknowledged.put(m.group(1), Integer.parseInt(m.group(2)));
                    if (acknowledged.size() == acks) {
                        // SIGKILL; unlike Process.destroyForcibly() it leaves our end of the pipe open,
                        // so the acknowledgements already written can still be read to the end
                        child.toHandle().destroyForcibly();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).as("the child acknowledged messages; its errors: %s",
                List.of(Files.readString(folder.resolve("child-" + round + ".err")))).hasSizeGreaterThanOrEqualTo(acks);
        return acknowledged;
    }
}
