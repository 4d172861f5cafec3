package org.posthorn.store.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.store.DerbyMailboxStore;
import org.posthorn.store.StoreFixture;

/**
 * Store benchmark: delivers messages of mixed sizes (2 KB - 2 MB, some with attachments) into
 * many accounts on a real, durable embedded Derby, then lists, fetches and searches them. Run
 * by {@code bench/store/run.sh}; never by {@code mvn verify}. Prints a Markdown table.
 *
 * <p>System properties: {@code bench.dir} (database directory, wiped first), {@code bench.users}
 * (100), {@code bench.messages} (10000), {@code bench.threads} (4), {@code bench.small} (small
 * messages for the small-message delivery runs, 3000), {@code bench.bigbox} (messages in the
 * one large mailbox, 10000). A warm-up of 4000 small deliveries and one round of reads runs
 * first and is not reported.
 */
public final class StoreBenchmark {

    private static final int USERS = Integer.getInteger("bench.users", 100);
    private static final int MESSAGES = Integer.getInteger("bench.messages", 10_000);
    private static final int THREADS = Integer.getInteger("bench.threads", 4);
    private static final int SMALL = Integer.getInteger("bench.small", 3000);
    private static final int BIGBOX = Integer.getInteger("bench.bigbox", 10_000);
    private static final String WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
            + " mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu";

    private final List<String> rows = new ArrayList<>();
    private DerbyMailboxStore store;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("bench.dir", "target/bench-store"));
        wipe(dir);
        Files.createDirectories(dir);
        new StoreBenchmark().run(dir);
    }

    private void run(Path dir) throws Exception {
        try (StoreFixture fixture = new StoreFixture(dir)) {
            store = fixture.store;
            fixture.directory.addDomain("bench.test");
            for (int u = 0; u < USERS; u++) {
                fixture.directory.addUser(user(u), null, 0, 0);
            }
            fixture.directory.addUser("bigbox@bench.test", null, 0, 0);

            // let the JIT compile Derby's and the store's hot paths first; not measured
            deliver("warm-up", 4000, 8, r -> smallMessage(r), true);
            reads();
            rows.clear();

            deliver("small (2-4 KB), 1 thread", SMALL, 1, r -> smallMessage(r), false);
            deliver("small (2-4 KB), 8 threads", SMALL, 8, r -> smallMessage(r), false);
            deliver("small (2-4 KB), 32 threads", SMALL, 32, r -> smallMessage(r), false);
            multiRecipient(SMALL / 5, 8, 5);
            long before = dirSize(dir);
            long[] mixed = deliver("mixed 2 KB-2 MB, " + THREADS + " threads", MESSAGES, THREADS,
                    StoreBenchmark::mixedMessage, true);
            long diskUsed = dirSize(dir) - before;
            rows.add(String.format(Locale.ROOT, "| disk use, mixed set | %,d bytes per message (raw %,d): %.2f x raw | | |",
                    diskUsed / mixed[0], mixed[1] / mixed[0], (double) diskUsed / mixed[1]));

            reads();
            bigMailbox();
            writesThatFindLittle();
        }
        System.out.println("| operation | result | rate | notes |");
        System.out.println("|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private interface Generator {
        byte[] message(Random random);
    }

    /** Delivers {@code count} messages round-robin to the users; returns {messages, bytes}. */
    private long[] deliver(String label, int count, int threads, Generator generator, boolean randomFlags)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            futures.add(pool.submit(() -> {
                Random random = new Random(seed * 31L + count);
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    byte[] message = generator.message(random);
                    bytes.addAndGet(message.length);
                    Set<String> flags = randomFlags && random.nextInt(3) == 0 ? Set.of("\\Seen") : Set.of();
                    store.append(user(i % USERS), "INBOX", MessageSource.ofBytes(message), flags, null);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        rows.add(String.format(Locale.ROOT, "| deliver %s | %,d messages, %,.1f MB in %.1f s | %,.0f msg/s, %.1f MB/s | |",
                label, count, bytes.get() / 1e6, seconds, count / seconds, bytes.get() / 1e6 / seconds));
        return new long[] {count, bytes.get()};
    }

    /** One {@code deliver} call per message for {@code recipients} accounts: one parse, one BLOB, one commit. */
    private void multiRecipient(int count, int threads, int recipients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            futures.add(pool.submit(() -> {
                Random random = new Random(seed);
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    List<Delivery> to = new ArrayList<>();
                    for (int r = 0; r < recipients; r++) {
                        to.add(Delivery.inbox(user((i * recipients + r) % USERS)));
                    }
                    store.deliver(to, MessageSource.ofBytes(smallMessage(random)), null);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        timed("deliver small to " + recipients + " recipients per call, " + threads + " threads", (long) count * recipients,
                "copies", start, count + " messages, each stored once");
    }

    private void reads() throws Exception {
        long t = System.nanoTime();
        long messages = 0;
        for (int u = 0; u < USERS; u++) {
            MailboxSnapshot s = store.select(user(u), "INBOX", false);
            messages += s.status().messages();
        }
        timed("SELECT INBOX (snapshot of UIDs) per user", USERS, "selects", t, messages + " messages seen");

        t = System.nanoTime();
        long metas = 0;
        for (int u = 0; u < USERS; u++) {
            metas += store.messages(user(u), "INBOX", UidSet.ALL).size();
        }
        timed("FETCH 1:* FLAGS (uid, flags, size, modseq)", metas, "messages", t, USERS + " mailboxes");

        t = System.nanoTime();
        long structures = 0;
        for (int u = 0; u < USERS; u++) {
            structures += store.fetch(user(u), "INBOX", UidSet.ALL).size();
        }
        timed("FETCH 1:* ENVELOPE BODYSTRUCTURE", structures, "messages", t, "stored structure, no re-parse");

        t = System.nanoTime();
        long read = 0;
        int bodies = 0;
        for (int u = 0; u < Math.min(USERS, 20); u++) {
            for (StoredMessage m : store.fetch(user(u), "INBOX", UidSet.ALL)) {
                try (InputStream in = m.source().openStream()) {
                    read += in.transferTo(OutputStreamSink.INSTANCE);
                }
                bodies++;
            }
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        rows.add(String.format(Locale.ROOT, "| FETCH BODY[] (stream whole raw message) | %,d messages, %,.1f MB in %.1f s | %,.0f msg/s, %.1f MB/s | 20 mailboxes |",
                bodies, read / 1e6, seconds, bodies / seconds, read / 1e6 / seconds));

        search("SEARCH SUBJECT (SQL on stored header text)", new SearchQuery.Header("subject", "tango"));
        search("SEARCH SEEN SINCE (SQL)", new SearchQuery.And(List.of(new SearchQuery.HasFlag("\\Seen"),
                new SearchQuery.InternalDate(SearchQuery.DateComparison.SINCE, LocalDate.of(2000, 1, 1)))));
        search("SEARCH BODY (streams text parts)", new SearchQuery.Body("needle-not-there"));

        t = System.nanoTime();
        long changed = 0;
        for (int u = 0; u < USERS; u++) {
            changed += store.updateFlags(user(u), "INBOX", UidSet.ALL, FlagUpdate.Mode.ADD, Set.of("\\Seen"), -1)
                    .changed().size();
        }
        timed("STORE 1:* +FLAGS (\\Seen)", USERS, "mailboxes", t, changed + " messages changed");
    }

    private void search(String label, SearchQuery query) throws Exception {
        long t = System.nanoTime();
        long hits = 0;
        for (int u = 0; u < USERS; u++) {
            hits += store.search(user(u), "INBOX", query).size();
        }
        timed(label, USERS, "searches", t, hits + " hits");
    }

    private void bigMailbox() throws Exception {
        String user = "bigbox@bench.test";
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        long t = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            int seed = i;
            futures.add(pool.submit(() -> {
                Random random = new Random(seed);
                while (next.getAndIncrement() < BIGBOX) {
                    store.append(user, "INBOX", MessageSource.ofBytes(smallMessage(random)), Set.of(), null);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        timed("deliver into ONE mailbox, 8 threads", BIGBOX, "messages", t, "all writers queue on one mailbox row");
        t = System.nanoTime();
        MailboxSnapshot snapshot = store.select(user, "INBOX", false);
        timed("SELECT of a " + snapshot.status().messages() + "-message mailbox", 1, "selects", t, "UIDs, recent, first unseen, keywords");
        t = System.nanoTime();
        List<MessageMeta> all = store.messages(user, "INBOX", UidSet.ALL);
        timed("FETCH 1:* FLAGS on it", all.size(), "messages", t, "");
        t = System.nanoTime();
        int n = store.fetch(user, "INBOX", UidSet.ALL).size();
        timed("FETCH 1:* ENVELOPE BODYSTRUCTURE on it", n, "messages", t, "");
        t = System.nanoTime();
        store.updateFlags(user, "INBOX", UidSet.ALL, FlagUpdate.Mode.ADD, Set.of("\\Seen"), -1);
        timed("STORE 1:* +FLAGS (\\Seen) on it", all.size(), "messages", t, "one transaction");
        t = System.nanoTime();
        long hits = store.search(user, "INBOX", new SearchQuery.Body("zulu")).size();
        timed("SEARCH BODY on it", 1, "searches", t, hits + " hits");
    }

    /** IMAP's update check and empty EXPUNGE on every mailbox, then POP3 QUIT emptying each INBOX. */
    private void writesThatFindLittle() throws Exception {
        int rounds = 20;
        long[] highs = new long[USERS];
        for (int u = 0; u < USERS; u++) {
            highs[u] = store.status(user(u), "INBOX").highestModSeq();
        }
        long t = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (int u = 0; u < USERS; u++) {
                updateCheck(user(u), highs[u]);
            }
        }
        timed("IMAP update check (nothing changed)", rounds * USERS, "checks", t, "");
        t = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (int u = 0; u < USERS; u++) {
                store.expunge(user(u), "INBOX", UidSet.ALL);
            }
        }
        timed("EXPUNGE with nothing \\Deleted", rounds * USERS, "expunges", t, "");
        t = System.nanoTime();
        long removed = 0;
        for (int u = 0; u < USERS; u++) {
            removed += quit(user(u));
        }
        store.purge();
        timed("POP3 QUIT deleting the whole INBOX, purge included", removed, "messages", t, USERS + " mailboxes");
    }

    private void updateCheck(String user, long high) throws Exception {
        store.changes(user, "INBOX", high, high, true);
    }

    private long quit(String user) throws Exception {
        return store.remove(user, "INBOX", UidSet.ALL).size();
    }

    private void timed(String label, long count, String unit, long startNanos, String notes) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        rows.add(String.format(Locale.ROOT, "| %s | %,d %s in %.3f s | %,.0f %s/s | %s |", label, count, unit, seconds,
                count / seconds, unit, notes));
    }

    private static String user(int u) {
        return "user" + u + "@bench.test";
    }

    private static String text(Random random, int bytes) {
        String[] words = WORDS.split(" ");
        StringBuilder sb = new StringBuilder(bytes + 100);
        int line = 0;
        while (sb.length() < bytes) {
            String w = words[random.nextInt(words.length)];
            sb.append(w);
            line += w.length() + 1;
            if (line > 70) {
                sb.append("\r\n");
                line = 0;
            } else {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    private static String header(Random random, String contentType) {
        return "From: Sender " + random.nextInt(1000) + " <sender" + random.nextInt(1000) + "@example.com>\r\n"
                + "To: recipient@bench.test\r\nSubject: " + text(random, 30).strip() + "\r\n"
                + "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <" + random.nextLong() + "@example.com>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: " + contentType + "\r\n\r\n";
    }

    static byte[] smallMessage(Random random) {
        return (header(random, "text/plain; charset=us-ascii") + text(random, 2000 + random.nextInt(2000)) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** 70 % 2-10 KB text, 20 % 20-200 KB with an attachment, 9 % 200 KB-1 MB, 1 % 1-2 MB. */
    static byte[] mixedMessage(Random random) {
        int p = random.nextInt(100);
        if (p < 70) {
            return (header(random, "text/plain; charset=us-ascii") + text(random, 2000 + random.nextInt(8000)) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }
        int attachment = p < 90 ? 20_000 + random.nextInt(180_000) : p < 99 ? 200_000 + random.nextInt(800_000)
                : 1_000_000 + random.nextInt(1_000_000);
        byte[] binary = new byte[attachment * 3 / 4];
        random.nextBytes(binary);
        String body = "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text(random, 1500)
                + "\r\n--b1\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
                + "Content-Disposition: attachment; filename=data.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(binary) + "\r\n--b1--\r\n";
        return (header(random, "multipart/mixed; boundary=b1") + body).getBytes(StandardCharsets.US_ASCII);
    }

    private static long dirSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Discards what is written. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
            // discarded
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // discarded
        }
    }
}
