package org.posthorn.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.posthorn.api.tls.TlsMaterial;
import org.slf4j.MDC;

/**
 * A tiny line protocol for the tests, in the shape of POP3: {@code +OK} / {@code -ERR} replies,
 * one command per line. It records what it executed so tests can see what the server did.
 */
final class TestProtocol implements SessionFactory {

    /** Every command line executed, in order, over all connections. */
    final Queue<String> executed = new ConcurrentLinkedQueue<>();
    /** Every connection made. */
    final Queue<Connection> connections = new ConcurrentLinkedQueue<>();
    /** Connections whose session heard {@link ProtocolSession#closed()}. */
    final Queue<Connection> closed = new ConcurrentLinkedQueue<>();
    /** What a {@code HANG} command waits for: a protocol stuck in a callback. */
    final CountDownLatch release = new CountDownLatch(1);
    /** The TLS material the server sees; empty to simulate a stopped security bundle. */
    final AtomicReference<TlsMaterial> tls = new AtomicReference<>(TestTls.material());

    private ProtocolServer server;

    ProtocolServer start(ServerSettings settings) {
        server = ProtocolServer.start(settings, this, () -> Optional.ofNullable(tls.get()));
        return server;
    }

    /** Settings for one plain listener on the loopback address, any free port. */
    static ServerSettings.Builder settings(ListenerSpec... listeners) {
        ServerSettings.Builder builder = ServerSettings.builder("test");
        if (listeners.length == 0) {
            builder.listener(new ListenerSpec("plain", "127.0.0.1", 0, TlsMode.NONE));
        }
        for (ListenerSpec listener : listeners) {
            builder.listener(listener);
        }
        return builder;
    }

    static ListenerSpec loopback(String name, TlsMode tls) {
        return new ListenerSpec(name, "127.0.0.1", 0, tls);
    }

    /** Where the named listener of the running server listens. */
    InetSocketAddress address(String listener) {
        return status(listener).boundAddress().orElseThrow();
    }

    InetSocketAddress address() {
        return server.listeners().get(0).boundAddress().orElseThrow();
    }

    ListenerStatus status(String listener) {
        return server.listeners().stream().filter(s -> s.spec().name().equals(listener)).findFirst().orElseThrow();
    }

    List<String> executedCommands() {
        return List.copyOf(executed);
    }

    @Override
    public ProtocolSession create(Connection connection) {
        connections.add(connection);
        return new Session(connection);
    }

    private final class Session implements ProtocolSession {
        private final Connection connection;

        Session(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void connected() throws IOException {
            connection.writeLine("+OK hello " + connection.listener().name());
        }

        @Override
        public void lineReceived(Line line) throws IOException {
            String text = line.text();
            executed.add(text);
            String[] words = text.split(" ", 2);
            String argument = words.length > 1 ? words[1] : "";
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "ECHO" -> connection.writeLine("+OK " + argument);
                case "NOOP" -> connection.writeLine("+OK");
                case "BARE" -> connection.writeLine("+OK bare=" + line.endedWithBareLf());
                case "CAPA" -> connection.writeLine("+OK" + (connection.tlsAvailable() ? " STLS" : ""));
                case "STLS" -> {
                    if (connection.tlsActive()) {
                        connection.writeLine("-ERR already using TLS");
                    } else if (!connection.startTls("+OK begin TLS")) {
                        connection.writeLine("-ERR [SYS/TEMP] TLS not available");
                    }
                }
                case "TLS" -> connection.writeLine("+OK " + connection.tlsSession().map(s -> s.getProtocol()).orElse("none"));
                case "LIT" -> {
                    connection.writeLine("+ ready");
                    byte[] literal;
                    try (InputStream in = connection.readCounted(Long.parseLong(argument))) {
                        literal = in.readAllBytes();
                    }
                    connection.writeLine("+OK " + escape(literal));
                }
                case "DATA" -> data(argument.equalsIgnoreCase("strict") ? BareLineEndings.REJECT : BareLineEndings.ACCEPT);
                case "BIG" -> {
                    connection.write(new PatternStream(Long.parseLong(argument)));
                    connection.writeLine("+OK sent");
                }
                case "NEXT" -> connection.writeLine("+OK next=" + connection.readLine().text());
                case "MDC" -> connection.writeLine("+OK " + MDC.get("session") + " " + MDC.get("remote") + " "
                        + MDC.get("listener") + " " + connection.id());
                case "LATER" -> new Thread(() -> connection.execute(() -> {
                    try {
                        connection.writeLine("+OK later " + argument);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })).start();
                case "ELSEWHERE" -> {
                    AtomicReference<RuntimeException> refused = new AtomicReference<>();
                    Thread other = new Thread(() -> {
                        try {
                            connection.writeLine("from another thread");
                        } catch (RuntimeException e) {
                            refused.set(e);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    other.start();
                    try {
                        other.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    connection.writeLine("+OK refused=" + (refused.get() instanceof IllegalStateException));
                }
                case "FAIL" -> throw new IllegalStateException("a bug in the protocol");
                case "HANG" -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case "QUIT" -> {
                    connection.writeLine("+OK bye");
                    connection.close();
                }
                default -> connection.writeLine("-ERR unknown command");
            }
        }

        private void data(BareLineEndings bareLineEndings) throws IOException {
            connection.writeLine("+OK send data");
            MessageDigest digest = sha256();
            long length = 0;
            StringBuilder start = new StringBuilder();
            try (InputStream body = connection.readDotStuffed(bareLineEndings)) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    digest.update(buffer, 0, n);
                    if (length < 200) {
                        start.append(escape(Arrays.copyOf(buffer, (int) Math.min(n, 200 - length))));
                    }
                    length += n;
                }
            } catch (BareLineEndingException e) {
                connection.writeLine("-ERR bare " + (e.isBareLineFeed() ? "LF" : "CR"));
                return;
            }
            connection.writeLine("+OK " + length + " " + HexFormat.of().formatHex(digest.digest()) + " " + start);
        }

        @Override
        public void lineTooLong() throws IOException {
            connection.writeLine("-ERR line too long");
        }

        @Override
        public void tooManyConnections(Rejection reason) throws IOException {
            connection.writeLine("-ERR [SYS/TEMP] " + reason);
        }

        @Override
        public void idleTimeout() throws IOException {
            connection.writeLine("-ERR idle timeout");
        }

        @Override
        public void shuttingDown() throws IOException {
            connection.writeLine("-ERR shutting down");
        }

        @Override
        public void closed() {
            closed.add(connection);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** CR and LF shown as {@code \r} and {@code \n}, so a body fits in a reply line. */
    static String escape(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n");
    }

    /** A long stream of reproducible bytes, generated as it is read. */
    static final class PatternStream extends InputStream {
        private final long length;
        private long position;

        PatternStream(long length) {
            this.length = length;
        }

        static int byteAt(long position) {
            return (int) ((position * 31 + (position >>> 8)) & 0xff);
        }

        @Override
        public int read() {
            return position < length ? byteAt(position++) : -1;
        }

        @Override
        public int read(byte[] bytes, int offset, int count) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(count, length - position);
            for (int i = 0; i < n; i++) {
                bytes[offset + i] = (byte) byteAt(position++);
            }
            return n;
        }
    }
}
