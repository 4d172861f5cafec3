package org.posthorn.queue.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to an SMTP server: line I/O with timeouts, the TLS upgrade, and the
 * state a pool needs (capabilities, messages sent, whether it can be used again). Used by one
 * thread at a time.
 */
final class SmtpConnection implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);
    private static final int BUFFER = 64 * 1024;

    private final MailHost host;
    private final InetAddress address;
    private final int port;
    private final String label;
    private final Socket tcp;
    private final ScheduledExecutorService scheduler;
    private final Duration writeTimeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private ServerCapabilities capabilities = ServerCapabilities.NONE;
    private int messagesSent;
    private boolean broken;
    private String tlsDescription;

    private SmtpConnection(MailHost host, InetAddress address, int port, Socket tcp,
                           ScheduledExecutorService scheduler, Duration writeTimeout) throws IOException {
        this.host = host;
        this.address = address;
        this.port = port;
        this.label = remoteHost(host, address) + ":" + port;
        this.tcp = tcp;
        this.scheduler = scheduler;
        this.writeTimeout = writeTimeout;
        attach(tcp);
    }

    /** Opens a TCP connection; nothing is read yet. */
    static SmtpConnection connect(MailHost host, InetAddress address, int port, Duration connectTimeout,
                                  ScheduledExecutorService scheduler, Duration writeTimeout) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(new InetSocketAddress(address, port), Math.toIntExact(connectTimeout.toMillis()));
            return new SmtpConnection(host, address, port, tcp, scheduler, writeTimeout);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), BUFFER);
        this.out = new BufferedOutputStream(new TimedOutputStream(s.getOutputStream(), tcp, scheduler, writeTimeout), BUFFER);
    }

    MailHost host() {
        return host;
    }

    /** Host name, address and port, for logs and outcomes. */
    String label() {
        return label;
    }

    /** Host name and address, as {@link RecipientOutcome#remoteHost()} wants it. */
    String remoteHost() {
        return remoteHost(host, address);
    }

    /** {@code name[address]}, or just the address literal when that is the name. */
    static String remoteHost(MailHost host, InetAddress address) {
        return host.name().startsWith("[") ? host.name() : host.name() + "[" + address.getHostAddress() + "]";
    }

    int port() {
        return port;
    }

    ServerCapabilities capabilities() {
        return capabilities;
    }

    void capabilities(ServerCapabilities capabilities) {
        this.capabilities = capabilities;
    }

    boolean isTls() {
        return tlsDescription != null;
    }

    /** Protocol and cipher suite, or null before TLS. */
    String tlsDescription() {
        return tlsDescription;
    }

    int messagesSent() {
        return messagesSent;
    }

    void messageSent() {
        messagesSent++;
    }

    /** Marks the connection as unusable (I/O failed, or the server said 421). */
    void markBroken() {
        broken = true;
    }

    boolean isUsable() {
        return !broken && !socket.isClosed();
    }

    /** Reads one reply, waiting at most {@code timeout}. */
    SmtpReply readReply(Duration timeout) throws IOException {
        socket.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
        try {
            SmtpReply reply = SmtpReply.read(in);
            LOG.trace("{} S: {}", label, reply);
            if (reply.code() == 421) {
                // RFC 5321 §3.8: the server is closing the channel.
                broken = true;
            }
            return reply;
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    /** Buffers one command line; {@link #flush()} sends it. */
    void write(String command) throws IOException {
        LOG.trace("{} C: {}", label, command);
        writeLine(command);
    }

    /** Buffers a command line that carries a secret; logs only its verb. */
    void writeSecret(String command, String verb) throws IOException {
        LOG.trace("{} C: {} ********", label, verb);
        writeLine(command);
    }

    private void writeLine(String command) throws IOException {
        try {
            out.write(command.getBytes(StandardCharsets.UTF_8));
            out.write('\r');
            out.write('\n');
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    /** Sends one command and reads its reply. */
    SmtpReply command(String command, Duration timeout) throws IOException {
        write(command);
        flush();
        return readReply(timeout);
    }

    /** The stream message data is written to (buffered; the caller flushes). */
    OutputStream dataOut() {
        return out;
    }

    /**
     * Upgrades to TLS (after a 220 to STARTTLS, or at once for implicit TLS).
     *
     * @param verify also check that the certificate names this host (the chain is checked by
     *               the factory's trust managers)
     */
    void startTls(SSLSocketFactory factory, boolean verify, Duration handshakeTimeout) throws IOException {
        if (in.available() > 0) {
            // RFC 3207 §6 / CVE-2011-0411: bytes sent before the handshake must not be read as if protected.
            throw new SmtpProtocolException("server sent data after its STARTTLS reply");
        }
        String peer = host.name().startsWith("[") ? address.getHostAddress() : host.name();
        SSLSocket ssl = (SSLSocket) factory.createSocket(socket, peer, port, true);
        SSLParameters params = ssl.getSSLParameters();
        if (verify) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!host.name().startsWith("[") && IpLiteral.parse(peer) == null) {
            try {
                params.setServerNames(List.of(new SNIHostName(peer)));
            } catch (IllegalArgumentException e) {
                LOG.debug("{}: no SNI for host name {}: {}", label, peer, e.getMessage());
            }
        }
        ssl.setSSLParameters(params);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout(Math.toIntExact(Math.max(1, handshakeTimeout.toMillis())));
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
        attach(ssl);
        capabilities = ServerCapabilities.NONE;
        tlsDescription = ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite();
        LOG.debug("{}: TLS established, {}", label, tlsDescription);
    }

    /** QUIT without waiting for the reply, then close: for idle and abandoned connections. */
    void quitAndClose() {
        if (isUsable()) {
            try {
                write("QUIT");
                flush();
            } catch (IOException e) {
                LOG.debug("{}: QUIT failed: {}", label, e.getMessage());
            }
        }
        close();
    }

    @Override
    public void close() {
        broken = true;
        try {
            // The TCP socket, not the TLS layer: closing TLS could wait on a stuck peer.
            tcp.close();
        } catch (IOException e) {
            LOG.debug("{}: close failed: {}", label, e.getMessage());
        }
    }
}
