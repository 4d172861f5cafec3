package org.posthorn.queue.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scriptable SMTP server on 127.0.0.1 standing in for a remote MX or a smarthost: it answers
 * as its {@link Script} says and records what it received, byte for byte. When it offers
 * PIPELINING it insists on it: after MAIL it reads every command up to DATA before it answers
 * any, so a client that waits for the MAIL reply gets nothing. Shared with the integration tests
 * through this module's test-jar.
 */
public final class SmtpSink implements AutoCloseable {

    /** What the server does; change it before the client connects. */
    public static final class Script {
        /** The greeting for the n-th connection (1-based): null never greets, "" drops the connection. */
        public volatile IntFunction<String> greeting = n -> "220 sink.test ESMTP ready";
        public volatile List<String> extensions = List.of("PIPELINING", "SIZE 50000000", "8BITMIME", "ENHANCEDSTATUSCODES",
                "DSN", "SMTPUTF8");
        public volatile boolean ehlo = true;
        /** Offers STARTTLS (or speaks implicit TLS) with this context. */
        public volatile SSLContext tls;
        public volatile boolean implicitTls;
        /** TLS protocols the server enables, or null for the defaults. */
        public volatile String[] tlsProtocols;
        /** Offers AUTH PLAIN LOGIN after TLS and accepts these credentials. */
        public volatile String authUser;
        public volatile String authPassword;
        public volatile String authMechanisms = "PLAIN LOGIN";
        public volatile String mailReply = "250 2.1.0 sender ok";
        /** Replies to RCPT by address; others get 250. */
        public final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
        public volatile String dataReply = "354 send data";
        public volatile String endReply = "250 2.0.0 queued";
        /** If set, the reply after the final dot waits for it. */
        public volatile CountDownLatch endGate;
        /** Stop reading after the reply to DATA, as a hung server does. */
        public volatile boolean stallInData;
        /** Never reply after the final dot. */
        public volatile boolean stallAtEnd;
    }

    /** One message the sink accepted. */
    public record Received(int connection, String mailFrom, List<String> rcptTo, byte[] data, String sha256, long size,
                    boolean tls, String authUser) {
    }

    private static final int KEEP_DATA_BYTES = 1 << 20;

    public final Script script = new Script();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Semaphore dataArrived = new Semaphore(0);
    private final Semaphore accepted = new Semaphore(0);

    private SmtpSink(ServerSocket server) {
        this.server = server;
        threads.execute(this::acceptLoop);
    }

    public static SmtpSink start() throws IOException {
        return start(0);
    }

    /** A sink on a given loopback port (0: any free one), for a test that configured the port beforehand. */
    public static SmtpSink start(int port) throws IOException {
        return new SmtpSink(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Received> received() {
        return received;
    }

    /** Every command line received, in order, over all connections. */
    public List<String> commands() {
        return commands;
    }

    /** The commands each pipelined MAIL ... DATA group arrived as before the first reply. */
    public List<List<String>> batches() {
        return batches;
    }

    public int connections() {
        return connections.get();
    }

    /** Waits until one more message was accepted: it is in {@link #received()} (each message counts once). */
    public boolean awaitReceived(long seconds) throws InterruptedException {
        return accepted.tryAcquire(seconds, TimeUnit.SECONDS);
    }

    /** Waits until a message's final dot arrived (before the end-of-data reply is sent). */
    public boolean awaitData(long seconds) throws InterruptedException {
        return dataArrived.tryAcquire(seconds, TimeUnit.SECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int n = connections.incrementAndGet();
                sockets.add(socket);
                threads.execute(() -> serve(socket, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int n) {
        try (socket) {
            new Session(socket, n).run();
        } catch (IOException e) {
            // the client went away or the test closed the sink
        } finally {
            sockets.remove(socket);
        }
    }

    /** Closes every client connection, as a server does with idle ones; keeps listening. */
    public void dropConnections() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
        // the port is free again only once the accepting thread has left accept()
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Session {
        private final int connection;
        private Socket socket;
        private LineReader in;
        private OutputStream out;
        private boolean tls;
        private String authUser;
        private boolean esmtp;
        private String mailFrom;
        private final List<String> rcpts = new ArrayList<>();

        Session(Socket socket, int connection) throws IOException {
            this.connection = connection;
            attach(socket);
        }

        private void attach(Socket s) throws IOException {
            socket = s;
            in = new LineReader(s.getInputStream());
            out = s.getOutputStream();
        }

        void run() throws IOException {
            if (script.implicitTls) {
                upgrade();
            }
            String greeting = script.greeting.apply(connection);
            if (greeting == null) {
                drain();
                return;
            }
            if (greeting.isEmpty()) {
                return;
            }
            send(greeting);
            String line;
            while ((line = in.command()) != null) {
                commands.add(line);
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        esmtp = script.ehlo;
                        send(esmtp ? ehloReply() : "502 5.5.1 EHLO not implemented");
                    }
                    case "HELO" -> send("250 sink.test");
                    case "STARTTLS" -> startTls();
                    case "AUTH" -> auth(line);
                    case "MAIL" -> mail(line);
                    case "RCPT" -> send(rcpt(line));
                    case "DATA" -> data(dataReply());
                    case "RSET" -> {
                        reset();
                        send("250 2.0.0 reset");
                    }
                    case "NOOP" -> send("250 2.0.0 ok");
                    case "QUIT" -> {
                        send("221 2.0.0 bye");
                        return;
                    }
                    default -> send("502 5.5.1 unknown command");
                }
            }
        }

        private String ehloReply() {
            List<String> lines = new ArrayList<>();
            lines.add("sink.test hello");
            lines.addAll(script.extensions);
            if (script.tls != null && !tls) {
                lines.add("STARTTLS");
            }
            if (script.authUser != null && tls) {
                lines.add("AUTH " + script.authMechanisms);
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                sb.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
                if (i < lines.size() - 1) {
                    sb.append("\r\n");
                }
            }
            return sb.toString();
        }

        private void startTls() throws IOException {
            if (script.tls == null || tls) {
                send("454 4.7.0 TLS not available");
                return;
            }
            send("220 2.0.0 go ahead");
            upgrade();
        }

        private void upgrade() throws IOException {
            SSLSocket ssl = (SSLSocket) script.tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            if (script.tlsProtocols != null) {
                ssl.setEnabledProtocols(script.tlsProtocols);
            }
            ssl.startHandshake();
            attach(ssl);
            tls = true;
        }

        private void auth(String line) throws IOException {
            String[] words = line.split(" ");
            String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
            boolean ok;
            if (mechanism.equals("PLAIN")) {
                String token = words.length > 2 ? words[2] : challenge("");
                String[] parts = decode(token).split("\0", -1);
                ok = parts.length == 3 && parts[1].equals(script.authUser) && parts[2].equals(script.authPassword);
                authUser = ok ? parts[1] : null;
            } else if (mechanism.equals("LOGIN")) {
                String user = decode(challenge("VXNlcm5hbWU6"));
                String password = decode(challenge("UGFzc3dvcmQ6"));
                ok = user.equals(script.authUser) && password.equals(script.authPassword);
                authUser = ok ? user : null;
            } else {
                send("504 5.5.4 unknown mechanism");
                return;
            }
            send(ok ? "235 2.7.0 authenticated" : "535 5.7.8 bad credentials");
        }

        private String challenge(String text) throws IOException {
            send("334 " + text);
            String answer = in.command();
            commands.add(answer);
            return answer;
        }

        private String decode(String base64) {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        }

        private void mail(String line) throws IOException {
            if (!esmtp || !script.extensions.contains("PIPELINING")) {
                send(mailReply(line));
                return;
            }
            List<String> batch = new ArrayList<>(List.of(line));
            List<String> replies = new ArrayList<>(List.of(mailReply(line)));
            String next;
            while ((next = in.command()) != null) {
                commands.add(next);
                batch.add(next);
                if (next.toUpperCase(Locale.ROOT).startsWith("DATA")) {
                    break;
                }
                replies.add(rcpt(next));
            }
            batches.add(List.copyOf(batch));
            if (next == null) {
                return;
            }
            String dataReply = dataReply();
            replies.add(dataReply);
            send(String.join("\r\n", replies));
            if (dataReply.startsWith("354")) {
                receive();
            }
        }

        private String mailReply(String line) {
            String reply = script.mailReply;
            if (reply.startsWith("2")) {
                mailFrom = line.substring(line.indexOf(':') + 1);
            }
            return reply;
        }

        private String rcpt(String line) {
            if (mailFrom == null) {
                return "503 5.5.1 need MAIL first";
            }
            int open = line.indexOf('<');
            String address = line.substring(open + 1, line.indexOf('>', open));
            String reply = script.rcptReplies.getOrDefault(address, "250 2.1.5 recipient ok");
            if (reply.startsWith("2")) {
                rcpts.add(line.substring(line.indexOf(':') + 1));
            }
            return reply;
        }

        private String dataReply() {
            if (mailFrom == null || rcpts.isEmpty()) {
                return "554 5.5.1 no valid recipients";
            }
            return script.dataReply;
        }

        private void data(String reply) throws IOException {
            send(reply);
            if (reply.startsWith("354")) {
                receive();
            }
        }

        private void receive() throws IOException {
            if (script.stallInData) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    return;
                }
            }
            MessageDigest digest = sha256();
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            long size = 0;
            byte[] line;
            while ((line = in.rawLine()) != null && !isEndOfData(line)) {
                digest.update(line);
                size += line.length;
                if (size <= KEEP_DATA_BYTES) {
                    kept.write(line);
                }
            }
            if (line == null) {
                return;
            }
            dataArrived.release();
            CountDownLatch gate = script.endGate;
            if (gate != null) {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (script.stallAtEnd) {
                drain();
                return;
            }
            String reply = script.endReply;
            if (reply.startsWith("2")) {
                received.add(new Received(connection, mailFrom, List.copyOf(rcpts),
                        size <= KEEP_DATA_BYTES ? kept.toByteArray() : null,
                        HexFormat.of().formatHex(digest.digest()), size, tls, authUser));
                accepted.release();
            }
            reset();
            send(reply);
        }

        private boolean isEndOfData(byte[] line) {
            return line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n';
        }

        private void reset() {
            mailFrom = null;
            rcpts.clear();
        }

        private void drain() throws IOException {
            while (in.rawLine() != null) {
                // wait for the client to give up
            }
        }

        private void send(String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads lines as raw bytes (with their CRLF) from a fast private buffer. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int position;
        private int limit;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** A line up to and including LF (or the rest before EOF), or null at EOF. */
        byte[] rawLine() throws IOException {
            ByteArrayOutputStream line = null;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return line == null ? null : line.toByteArray();
                    }
                }
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                boolean complete = position < limit;
                if (complete) {
                    position++;
                }
                if (line == null && complete) {
                    return Arrays.copyOfRange(buffer, start, position);
                }
                if (line == null) {
                    line = new ByteArrayOutputStream();
                }
                line.write(buffer, start, position - start);
                if (complete) {
                    return line.toByteArray();
                }
            }
        }

        /** A command line without its CRLF, or null at EOF. */
        String command() throws IOException {
            byte[] raw = rawLine();
            if (raw == null) {
                return null;
            }
            int end = raw.length;
            while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
                end--;
            }
            return new String(raw, 0, end, StandardCharsets.UTF_8);
        }
    }
}
