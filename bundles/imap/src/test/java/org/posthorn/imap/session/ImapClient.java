package org.posthorn.imap.session;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A raw IMAP client for scripted exchanges: sends lines as written and returns responses as
 * the server sent them, a literal kept inline ({@code {5}\r\nhello}) within its response line.
 */
public final class ImapClient implements AutoCloseable {

    private static final Pattern LITERAL_END = Pattern.compile("~?\\{(\\d+)}$");

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private ImapClient(Socket socket) throws IOException {
        use(socket);
    }

    /** Connects to the plain (STARTTLS) port and returns after reading the greeting. */
    public static ImapClient connect(int port) throws IOException {
        ImapClient client = new ImapClient(new Socket("127.0.0.1", port));
        client.socket.setSoTimeout(30_000);
        return client;
    }

    /** Connects with TLS from the first byte (trusting any certificate: the test's own). */
    public static ImapClient connectTls(int port) throws IOException {
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return new ImapClient(socket);
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    /** Upgrades to TLS after the server's OK to STARTTLS. */
    public void startTls() throws IOException {
        SSLSocket tls = (SSLSocket) trustAll().getSocketFactory()
                .createSocket(socket, "127.0.0.1", socket.getPort(), true);
        tls.setSoTimeout(30_000);
        tls.startHandshake();
        use(tls);
    }

    static SSLContext trustAll() {
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
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code text} and CR LF. */
    public void send(String text) throws IOException {
        sendRaw(text + "\r\n");
    }

    /** Writes the text as it is. */
    public void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends a command line and reads up to and including its tagged response. */
    public List<String> command(String line) throws IOException {
        send(line);
        return responsesTo(line.substring(0, line.indexOf(' ')));
    }

    /** Logs in with LOGIN. */
    public void login(String user) throws IOException {
        String last = last(command("L LOGIN " + user + " " + ImapFixture.PASSWORD));
        if (!last.startsWith("L OK")) {
            throw new IOException("login failed: " + last);
        }
    }

    /** Reads responses up to and including the one tagged {@code tag}. */
    public List<String> responsesTo(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = line();
            lines.add(line);
        } while (!line.startsWith(tag + " "));
        return lines;
    }

    public static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** One response line; literals (and the line that continues after them) included. */
    public String line() throws IOException {
        return new String(lineBytes(), StandardCharsets.UTF_8);
    }

    /** One response line as bytes, for binary literals. */
    public byte[] lineBytes() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            ByteArrayOutputStream part = new ByteArrayOutputStream();
            int b;
            int previous = -1;
            while ((b = in.read()) >= 0) {
                if (b == '\n' && previous == '\r') {
                    break;
                }
                part.write(b);
                previous = b;
            }
            if (b < 0) {
                throw new EOFException("connection closed; partial line: " + part.toString(StandardCharsets.UTF_8));
            }
            byte[] bytes = part.toByteArray();
            line.write(bytes, 0, bytes.length - 1);
            Matcher literal = LITERAL_END.matcher(new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1));
            if (!literal.find()) {
                return line.toByteArray();
            }
            line.write('\r');
            line.write('\n');
            line.write(in.readNBytes(Integer.parseInt(literal.group(1))));
        }
    }

    /** The raw output stream, to send bytes that are not text. */
    public OutputStream out() {
        return out;
    }

    /** True once the server closed the connection. */
    public boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
