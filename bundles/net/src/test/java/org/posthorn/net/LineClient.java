package org.posthorn.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;

/**
 * A blocking test client over a plain or TLS socket. Reads time out after a while only so
 * that a broken test fails instead of hanging; no assertion depends on timing.
 */
final class LineClient implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 20_000;

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private LineClient(Socket socket) throws IOException {
        use(socket);
    }

    static LineClient connect(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, READ_TIMEOUT_MILLIS);
        return new LineClient(socket);
    }

    /** Connects from a given local address, e.g. another loopback address such as 127.0.0.2. */
    static LineClient connectFrom(String localHost, InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localHost, 0));
        socket.connect(server, READ_TIMEOUT_MILLIS);
        return new LineClient(socket);
    }

    static LineClient connectTls(InetSocketAddress server) throws IOException {
        SSLSocket socket = (SSLSocket) TestTls.material().clientSockets().createSocket();
        socket.connect(server, READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.startHandshake();
        return new LineClient(socket);
    }

    private void use(Socket next) throws IOException {
        socket = next;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Upgrades this plain connection to TLS (after the server's STARTTLS reply). */
    void startTls() throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket tls = (SSLSocket) TestTls.material().clientSockets()
                .createSocket(socket, remote.getHostString(), remote.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
    }

    String tlsProtocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
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

    OutputStream output() {
        return out;
    }

    /** Half-closes: the server reads end of stream, the client can still read replies. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    InputStream input() {
        return in;
    }

    /** The next line without CR LF, or {@code null} at end of stream. */
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

    /** {@code true} if the server closed the connection (end of stream, or a reset). */
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
