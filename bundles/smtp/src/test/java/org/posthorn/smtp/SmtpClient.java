package org.posthorn.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A scripted SMTP client over a raw socket, for exact exchanges: {@code send} what a client
 * would, {@code reply()} reads one (possibly multi-line) reply. Reads time out only so that a
 * broken test fails instead of hanging; no assertion depends on timing.
 */
final class SmtpClient implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        use(socket);
    }

    /** Connects and returns the client positioned after the greeting, which is checked to be a 220. */
    static SmtpClient connect(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, READ_TIMEOUT_MILLIS);
        return greeted(new SmtpClient(socket));
    }

    /** Connects with TLS from the first byte (port 465). */
    static SmtpClient connectTls(InetSocketAddress server) throws IOException {
        SSLSocket socket = (SSLSocket) trustAll().createSocket();
        socket.connect(server, READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.startHandshake();
        return greeted(new SmtpClient(socket));
    }

    private static SmtpClient greeted(SmtpClient client) throws IOException {
        String greeting = client.reply();
        if (!greeting.startsWith("220 ")) {
            throw new IOException("no greeting: " + greeting);
        }
        return client;
    }

    private void use(Socket next) throws IOException {
        socket = next;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        // the server sends nothing after its STARTTLS reply, so nothing of TLS lands in this buffer
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /** The test server's certificate is self-signed; these tests check the protocol, not the PKI. */
    static SSLSocketFactory trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Upgrades the connection after a 220 reply to STARTTLS. */
    void startTls() throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket tls = (SSLSocket) trustAll().createSocket(socket, remote.getHostString(), remote.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
    }

    String tlsProtocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    /** Sends text as it is (add CR LF yourself). */
    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    OutputStream output() {
        return out;
    }

    /** Sends one command line and returns the reply. */
    String command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    /** The next reply, its lines joined with LF; {@code null} at end of stream. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        for (;;) {
            String line = in.readLine();
            if (line == null) {
                return lines.isEmpty() ? null : String.join("\n", lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return String.join("\n", lines);
            }
        }
    }

    /** EHLO, returning the extension keywords (the lines after the first, without "250-"/"250 "). */
    List<String> ehlo(String name) throws IOException {
        String[] lines = command("EHLO " + name).split("\n");
        if (!lines[0].startsWith("250")) {
            throw new IOException("EHLO refused: " + String.join("\n", lines));
        }
        List<String> keywords = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            keywords.add(lines[i].substring(4));
        }
        return keywords;
    }

    /** {@code true} if the server has closed the connection (end of stream or reset). */
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
