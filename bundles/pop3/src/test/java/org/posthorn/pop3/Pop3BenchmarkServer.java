package org.posthorn.pop3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.posthorn.api.mail.MessageSource;

/**
 * NOT A TEST: the POP3 server on the real store for {@code bench/pop3/run.sh}, which drives it
 * with the shared POP3 load script ({@code ../shared/bench/pop3_load.py}). Creates users
 * {@code user1..userK@example.org} (password {@code pass}), delivers M messages of about L bytes
 * to each through the store, listens on 127.0.0.1:PORT with plaintext logins allowed (as the
 * reference peers), prints {@code READY} and serves until its standard input closes.
 *
 * <p>Arguments: {@code folder port users messages bytes [warm-up users]}. Warm-up users
 * {@code warm1..warmW@example.org} get the same messages; the runner drains them first, so the
 * measured drain runs on compiled code rather than while the JIT compiles the read path.
 */
public final class Pop3BenchmarkServer {

    private Pop3BenchmarkServer() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        int users = Integer.parseInt(args[2]);
        int messages = Integer.parseInt(args[3]);
        int bytes = Integer.parseInt(args[4]);
        int warmUsers = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        Files.createDirectories(folder);
        try (TestMailSystem system = TestMailSystem.open(Files.createTempDirectory(folder, "pop3-bench"), 4000)) {
            List<String> accounts = new ArrayList<>();
            for (int i = 1; i <= users; i++) {
                String account = "user" + i + "@example.org";
                system.directory.addUser(account, "pass".toCharArray(), 0, 0);
                accounts.add(account);
            }
            for (int i = 1; i <= warmUsers; i++) {
                String account = "warm" + i + "@example.org";
                system.directory.addUser(account, "pass".toCharArray(), 0, 0);
                accounts.add(account);
            }
            long start = System.nanoTime();
            seed(system, accounts, messages, bytes);
            System.out.printf("seeded %d messages in %.1f s%n", accounts.size() * messages, (System.nanoTime() - start) / 1e9);
            try (Pop3TestServer server = Pop3TestServer.start(system, Map.of("pop3.port", port,
                    "pop3s.enabled", false, "auth.plaintext.allowed", true, "max.connections.per.address", 1000))) {
                System.out.println("READY " + server.pop3().getPort());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // serve until the runner closes our standard input
                }
            }
        }
    }

    /** Deliveries from 4 threads, as a queue would make them. */
    private static void seed(TestMailSystem system, List<String> accounts, int messages, int bytes) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String account : accounts) {
                done.add(threads.submit(() -> {
                    for (int n = 1; n <= messages; n++) {
                        system.deliver(account, message(account, n, bytes));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
    }

    private static MessageSource message(String account, int n, int bytes) throws IOException {
        StringBuilder text = new StringBuilder("From: seed@example.test\r\nTo: " + account + "\r\nSubject: bench " + n
                + "\r\nMessage-ID: <" + n + "." + account + ">\r\n\r\n");
        int body = text.length() + bytes;
        while (text.length() < body) {
            text.append("x".repeat(Math.min(76, Math.max(1, body - text.length() - 2)))).append("\r\n");
        }
        return MessageSource.ofBytes(text.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
