package org.posthorn.queue;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import org.posthorn.queue.dispatch.QueueSettings;
import org.posthorn.queue.filter.FilterChain;

/**
 * The process {@link CrashRecoveryTest} kills: a whole queue on the given folder, enqueueing
 * from four threads as fast as it can. After each enqueue returns it prints
 * {@code ACK <id> <n> END}, flushed, where message n is {@link #message(int)}.
 */
public final class CrashChild {

    private CrashChild() {
    }

    static byte[] message(int n) {
        return TestMail.message("crash-" + n, 500 + (n * 7919) % 150_000);
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        TestDatabase database = TestDatabase.open(folder);
        // no store, directory or remote delivery: entries only wait, as in a queue under load
        QueueEngine engine = new QueueEngine(database.dataSource(), folder.resolve("spool"),
                QueueSettings.defaults("crash.test"), Clock.systemUTC(), "crash-child", () -> null, () -> null,
                () -> null, new FilterChain());
        engine.start();
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        AtomicInteger next = new AtomicInteger(Integer.parseInt(args[1]));
        Runnable session = () -> {
            while (true) {
                int n = next.getAndIncrement();
                try {
                    String id = engine.mailQueue().enqueue(TestMail.envelope("alice@example.org", "bob@example.com", "carol@example.net"), new ByteArrayInputStream(message(n))).id();
                    synchronized (out) {
                        out.println("ACK " + id + " " + n + " END");
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    return;
                }
            }
        };
        for (int i = 0; i < 4; i++) {
            new Thread(session, "session-" + i).start();
        }
    }
}
