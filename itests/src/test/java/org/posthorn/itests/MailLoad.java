package org.posthorn.itests;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Mail traffic for the hot-swap tests, on its own threads until {@link #stop()}: SMTP senders
 * that deliver numbered messages to local accounts (retrying each until it is acknowledged),
 * IMAP readers that stay logged in and follow their INBOX, and POP3 readers that log in,
 * read the newest message and quit, again and again.
 *
 * <p>Each client tallies the outcome of every operation under the {@linkplain #phase(String)
 * phase} of the test it ran in (one that spans a change of phase counts as {@value #CHANGING}),
 * so a test can say what clients must have seen while a bundle was stopped. Outcomes:
 * {@code ok} (SMTP: the 250 code), a reply code or response code the server sent
 * ({@code 451}, {@code 421}, {@code unavailable}, {@code temporary}), {@code bye} (the
 * server's goodbye as it stops), {@code refused} (no connection) and {@code dropped} (the
 * connection ended without a goodbye); anything else is the offending line itself.
 */
final class MailLoad {

    static final String PASSWORD = "hot-swap secret";
    static final String CHANGING = "changing";
    /** For {@link #await}: operations of every phase count. */
    static final String ANY_PHASE = null;
    /** Bounds every wait of a test on this load. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** A client's pause before its next try or command: its pace, not synchronisation. */
    private static final long THINK_MILLIS = 25;

    private final String name;
    private final int smtpPort;
    private final int imapPort;
    private final int pop3Port;
    private final List<String> imapAccounts;
    private final List<String> pop3Accounts;
    private final List<String> recipients = new ArrayList<>();
    private final int senders;
    private final long maxMessages;
    private final AtomicLong sequence = new AtomicLong();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    /** worker → phase → outcome → count; guarded by itself, which is also what waiters wait on. */
    private final Map<String, Map<String, Map<String, Long>>> tally = new TreeMap<>();
    private volatile String phase = "before";
    private volatile boolean running = true;

    /**
     * @param name         distinguishes this load's message ids from others'
     * @param imapAccounts one IMAP reader for each; they also receive mail
     * @param pop3Accounts one POP3 reader for each; they also receive mail
     * @param senders      SMTP senders
     * @param maxMessages  the most messages all senders together send
     */
    MailLoad(String name, int smtpPort, int imapPort, int pop3Port, List<String> imapAccounts,
             List<String> pop3Accounts, int senders, long maxMessages) {
        this.name = name;
        this.smtpPort = smtpPort;
        this.imapPort = imapPort;
        this.pop3Port = pop3Port;
        this.imapAccounts = List.copyOf(imapAccounts);
        this.pop3Accounts = List.copyOf(pop3Accounts);
        this.senders = senders;
        this.maxMessages = maxMessages;
        recipients.addAll(imapAccounts);
        recipients.addAll(pop3Accounts);
    }

    MailLoad start() {
        for (int i = 1; i <= senders; i++) {
            String worker = "smtp-" + i;
            startWorker(worker, () -> send(worker));
        }
        for (int i = 0; i < imapAccounts.size(); i++) {
            String worker = "imap-" + (i + 1);
            String account = imapAccounts.get(i);
            startWorker(worker, () -> readImap(worker, account));
        }
        for (int i = 0; i < pop3Accounts.size(); i++) {
            String worker = "pop3-" + (i + 1);
            String account = pop3Accounts.get(i);
            startWorker(worker, () -> readPop3(worker, account));
        }
        return this;
    }

    private void startWorker(String worker, Runnable loop) {
        synchronized (tally) {
            tally.put(worker, new HashMap<>());
        }
        Thread thread = new Thread(loop, name + "-" + worker);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /** Names the phase the test is in from now on. */
    void phase(String next) {
        phase = next;
    }

    /** Ends the traffic: each client finishes its operation and says goodbye. Idempotent. */
    void stop() throws InterruptedException {
        running = false;
        synchronized (tally) {
            tally.notifyAll();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(LineClient.READ_TIMEOUT_MILLIS / 1000 + 5));
        }
    }

    /** The ids (Message-ID without brackets) of the messages SMTP acknowledged with 250. */
    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** The accounts that receive this load's mail. */
    List<String> recipients() {
        return List.copyOf(recipients);
    }

    /** A Message-ID (without brackets) that {@link #isOurs} recognises. */
    String messageId(String unique) {
        return name + "." + unique + "@hotswap.itest";
    }

    /** True for a Message-ID (without brackets) this load made. */
    boolean isOurs(String messageId) {
        return messageId != null && messageId.startsWith(name + ".");
    }

    /**
     * Waits until every client of {@code kind} (smtp, imap, pop3) had {@code count} operations
     * with {@code outcome} in {@code phase} (or in all phases together: {@link #ANY_PHASE}).
     */
    void await(String kind, String phase, String outcome, int count) throws InterruptedException {
        awaitTally(kind + " clients: " + count + " x " + outcome + " in phase " + phase, () -> {
            for (Map.Entry<String, Map<String, Map<String, Long>>> worker : tally.entrySet()) {
                if (worker.getKey().startsWith(kind + "-") && count(worker.getValue(), phase, outcome) < count) {
                    return false;
                }
            }
            return true;
        });
    }

    private static long count(Map<String, Map<String, Long>> phases, String phase, String outcome) {
        return phases.entrySet().stream()
                .filter(p -> phase == null || p.getKey().equals(phase))
                .mapToLong(p -> p.getValue().getOrDefault(outcome, 0L))
                .sum();
    }

    private void awaitTally(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        synchronized (tally) {
            while (!condition.getAsBoolean()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !running) {
                    throw new AssertionError("waited in vain for " + what + "; outcomes: " + tally);
                }
                tally.wait(left);
            }
        }
    }

    /** The outcomes of the clients of {@code kind} in {@code phase}, summed: outcome → count. */
    Map<String, Long> outcomes(String kind, String phase) {
        Map<String, Long> sum = new TreeMap<>();
        synchronized (tally) {
            tally.forEach((worker, phases) -> {
                if (worker.startsWith(kind + "-")) {
                    phases.getOrDefault(phase, Map.of()).forEach((outcome, n) -> sum.merge(outcome, n, Long::sum));
                }
            });
        }
        return sum;
    }

    /** Every client's outcomes: worker → phase → outcome → count. */
    String report() {
        synchronized (tally) {
            return tally.toString();
        }
    }

    private void record(String worker, String startedIn, String outcome) {
        String in = startedIn.equals(phase) ? startedIn : CHANGING;
        synchronized (tally) {
            tally.get(worker).computeIfAbsent(in, p -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
            tally.notifyAll();
        }
    }

    /** Waits the think time, or less if the load stops. */
    private void think() {
        synchronized (tally) {
            if (running) {
                try {
                    tally.wait(THINK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    // ------------------------------------------------------------------ SMTP

    private void send(String worker) {
        SmtpClient client = null;
        String pending = null;
        long number = -1;
        while (running) {
            if (pending == null) {
                number = sequence.getAndIncrement();
                if (number >= maxMessages) {
                    break;
                }
                pending = messageId(Long.toString(number));
            }
            String startedIn = phase;
            String outcome;
            try {
                if (client == null) {
                    client = SmtpClient.connect(smtpPort);
                    expect(client.command("EHLO load.itest.example"), "250");
                }
                outcome = transaction(client, pending, recipients.get((int) (number % recipients.size())));
            } catch (IOException e) {
                outcome = failure(client, e);
                closeQuietly(client);
                client = null;
            }
            if (outcome.equals("ok")) {
                acknowledged.add(pending);
                pending = null;
            } else if (outcome.equals("421")) {
                closeQuietly(client);
                client = null;
            }
            record(worker, startedIn, outcome);
            think();
        }
        if (client != null) {
            try {
                client.command("QUIT");
            } catch (IOException e) {
                // the server may already be gone
            }
            closeQuietly(client);
        }
    }

    /** MAIL, RCPT, DATA of one message; {@code ok} for 250 at the end, else the first reply code that is not a success. */
    private static String transaction(SmtpClient client, String id, String recipient) throws IOException {
        String reply = client.command("MAIL FROM:<load@sender.itest.example>");
        if (reply.startsWith("250")) {
            reply = client.command("RCPT TO:<" + recipient + ">");
        }
        if (reply.startsWith("250")) {
            reply = client.command("DATA");
        }
        if (reply.startsWith("354")) {
            reply = client.command("From: load@sender.itest.example\r\nTo: " + recipient + "\r\nMessage-ID: <" + id
                    + ">\r\nSubject: hot-swap " + id + "\r\n\r\nSent while bundles come and go.\r\n.");
            return reply.startsWith("250 ") ? "ok" : code(reply);
        }
        if (!reply.startsWith("421")) {
            expect(client.command("RSET"), "250");
        }
        return code(reply);
    }

    private static String code(String reply) {
        return reply.length() >= 3 && reply.substring(0, 3).chars().allMatch(Character::isDigit) ? reply.substring(0, 3) : reply;
    }

    private static void expect(String reply, String code) throws IOException {
        if (!reply.startsWith(code)) {
            throw new IOException("expected " + code + ": " + reply);
        }
    }

    // ------------------------------------------------------------------ IMAP

    private void readImap(String worker, String account) {
        ImapClient client = null;
        boolean selected = false;
        long exists = 0;
        int tag = 0;
        while (running) {
            String startedIn = phase;
            String outcome;
            try {
                if (client == null) {
                    client = ImapClient.connect(imapPort);
                    String greeting = client.line();
                    if (!greeting.startsWith("* OK")) {
                        throw new IOException("no greeting: " + greeting);
                    }
                }
                if (client.inputWaiting()) {
                    outcome = imapOutcome(List.of(client.line()), null);
                } else if (!selected) {
                    outcome = imapOutcome(client.command("l" + ++tag + " LOGIN " + account + " \"" + PASSWORD + "\""), "l" + tag);
                    if (outcome.equals("ok")) {
                        List<String> select = client.command("s" + ++tag + " SELECT INBOX");
                        outcome = imapOutcome(select, "s" + tag);
                        exists = exists(select, exists);
                        selected = outcome.equals("ok");
                    }
                } else {
                    List<String> noop = client.command("n" + ++tag + " NOOP");
                    outcome = imapOutcome(noop, "n" + tag);
                    exists = exists(noop, exists);
                    if (outcome.equals("ok") && exists > 0) {
                        List<String> fetch = client.command("f" + ++tag + " FETCH " + exists
                                + " (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
                        outcome = imapOutcome(fetch, "f" + tag);
                        if (outcome.equals("ok") && fetch.stream().noneMatch(l -> l.contains("Message-ID: <" + name + "."))) {
                            outcome = "no Message-ID of ours in " + fetch;
                        }
                    }
                }
            } catch (IOException e) {
                outcome = failure(client, e);
            }
            if (outcome.equals("bye") || outcome.equals("dropped") || outcome.equals("refused")) {
                closeQuietly(client);
                client = null;
                selected = false;
            }
            record(worker, startedIn, outcome);
            think();
        }
        if (client != null) {
            try {
                client.command("z LOGOUT");
            } catch (IOException e) {
                // the server may already be gone
            }
            closeQuietly(client);
        }
    }

    private static String imapOutcome(List<String> lines, String tag) {
        if (lines.stream().anyMatch(l -> l.startsWith("* BYE"))) {
            return "bye";
        }
        String last = lines.get(lines.size() - 1);
        if (tag == null) {
            return "unsolicited " + last;
        }
        if (last.startsWith(tag + " OK")) {
            return "ok";
        }
        return last.startsWith(tag + " NO [UNAVAILABLE]") ? "unavailable" : last;
    }

    private static long exists(List<String> lines, long previous) {
        long exists = previous;
        for (String line : lines) {
            if (line.startsWith("* ") && line.endsWith(" EXISTS")) {
                exists = Long.parseLong(line.substring(2, line.length() - " EXISTS".length()));
            }
        }
        return exists;
    }

    // ------------------------------------------------------------------ POP3

    private void readPop3(String worker, String account) {
        while (running) {
            String startedIn = phase;
            String outcome;
            Pop3Client client = null;
            try {
                client = Pop3Client.connect(pop3Port);
                outcome = pop3Session(client, account);
            } catch (IOException e) {
                outcome = failure(client, e);
            }
            closeQuietly(client);
            record(worker, startedIn, outcome);
            think();
        }
    }

    /** Login, STAT, RETR of the newest message, QUIT: {@code ok}, or the first reply that is not +OK. */
    private String pop3Session(Pop3Client client, String account) throws IOException {
        String reply = client.login(account, PASSWORD);
        if (!reply.startsWith("+OK")) {
            return pop3Outcome(reply);
        }
        reply = client.command("STAT");
        if (!reply.startsWith("+OK")) {
            return pop3Outcome(reply);
        }
        int count = Integer.parseInt(reply.split(" ")[1]);
        if (count > 0) {
            reply = client.command("RETR " + count);
            if (!reply.startsWith("+OK")) {
                return pop3Outcome(reply);
            }
            List<String> message = client.lines();
            if (message.stream().noneMatch(l -> l.startsWith("Message-ID: <" + name + "."))) {
                return "no Message-ID of ours in " + message;
            }
        }
        reply = client.command("QUIT");
        return reply.startsWith("+OK") ? "ok" : pop3Outcome(reply);
    }

    private static String pop3Outcome(String reply) {
        if (reply.startsWith("-ERR [SYS/TEMP] Server shutting down")) {
            return "bye";
        }
        return reply.startsWith("-ERR [SYS/TEMP]") ? "temporary" : reply;
    }

    // ------------------------------------------------------------------

    /** {@code refused} if there was no connection yet, else {@code dropped}. */
    private static String failure(LineClient client, IOException e) {
        return client == null && e instanceof ConnectException ? "refused" : "dropped";
    }

    private static void closeQuietly(LineClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
