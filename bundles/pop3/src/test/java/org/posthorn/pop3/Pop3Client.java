package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw POP3 client for scripted exchanges: it sends exactly what a test says and returns
 * exactly what the server answered. Reads time out only so that a broken test fails instead
 * of hanging; no assertion depends on timing.
 */
final class Pop3Client implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 30_000;

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private Pop3Client(Socket socket) throws IOException {
        use(socket);
    }

    static Pop3Client connect(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, TIMEOUT_MILLIS);
        return new Pop3Client(socket);
    }

    /** Connects from another local address, e.g. 127.0.0.2, as a second client machine would. */
    static Pop3Client connectFrom(String localHost, InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localHost, 0));
        socket.connect(server, TIMEOUT_MILLIS);
        return new Pop3Client(socket);
    }

    /** Implicit TLS (port 995). */
    static Pop3Client connectTls(InetSocketAddress server, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
        socket.connect(server, TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.startHandshake();
        return new Pop3Client(socket);
    }

    private void use(Socket next) throws IOException {
        socket = next;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Upgrades to TLS after the server's {@code +OK} to STLS. */
    void startTls(SSLContext tls) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket upgraded = (SSLSocket) tls.getSocketFactory()
                .createSocket(socket, remote.getHostString(), remote.getPort(), true);
        upgraded.setUseClientMode(true);
        upgraded.startHandshake();
        use(upgraded);
    }

    boolean tlsActive() {
        return socket instanceof SSLSocket;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendLine(String line) throws IOException {
        send(line + "\r\n");
    }

    /** Sends a command and returns the first line of the reply. */
    String command(String line) throws IOException {
        sendLine(line);
        return readLine();
    }

    /** Sends a command, checks that the reply starts with {@code +OK} and returns the status line. */
    String expectOk(String line) throws IOException {
        String reply = command(line);
        assertThat(reply).as("reply to " + line).startsWith("+OK");
        return reply;
    }

    /** Reads one line and checks it. */
    void expect(String line) throws IOException {
        assertThat(readLine()).isEqualTo(line);
    }

    void login(String account, String password) throws IOException {
        expectOk("USER " + account);
        expectOk("PASS " + password);
    }

    /** The lines of a multi-line response up to (without) the terminating dot, still byte-stuffed. */
    List<String> readMultiLine() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); !".".equals(line); line = readLine()) {
            if (line == null) {
                throw new IOException("connection closed inside a multi-line response after " + lines);
            }
            lines.add(line);
        }
        return lines;
    }

    /** A multi-line command: checks {@code +OK} and returns the lines that follow. */
    List<String> multiLine(String command) throws IOException {
        expectOk(command);
        return readMultiLine();
    }

    /** The bytes of a multi-line response exactly as sent, up to and including CR LF "." CR LF. */
    byte[] readMultiLineBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int state = 2; // 0 in a line, 1 after CR, 2 at a line start, 3 after a line-start dot, 4 after ".\r"
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a multi-line response");
            }
            bytes.write(b);
            state = switch (state) {
                case 2 -> b == '.' ? 3 : b == '\r' ? 1 : 0;
                case 3 -> b == '\r' ? 4 : 0;
                case 4 -> {
                    if (b == '\n') {
                        yield -1;
                    }
                    yield b == '\r' ? 1 : 0;
                }
                case 1 -> b == '\n' ? 2 : b == '\r' ? 1 : 0;
                default -> b == '\r' ? 1 : 0;
            };
            if (state < 0) {
                return bytes.toByteArray();
            }
        }
    }

    InputStream input() {
        return in;
    }

    /** The next line without CR LF, or null at the end of the stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** True if the server closed the connection (end of stream or reset) before sending anything more. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
