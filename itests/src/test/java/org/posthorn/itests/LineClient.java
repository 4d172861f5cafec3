package org.posthorn.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The socket of a scripted client of a line-based protocol (SMTP, IMAP, POP3), shared by the
 * protocol clients of the integration tests. Reads time out only so a broken test fails
 * instead of hanging.
 */
class LineClient implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 20_000;

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    LineClient(Socket socket) throws IOException {
        use(socket);
    }

    /** A plain connection to a port on the loopback address. */
    static Socket plainSocket(int port) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), port);
    }

    /** A connection to a port on the loopback address with TLS from the first byte. */
    static Socket tlsSocket(int port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        try {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A client TLS context that trusts exactly {@code certificate} (the one the distribution serves). */
    static SSLContext trusting(X509Certificate certificate) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("posthorn", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void use(Socket next) throws IOException {
        socket = next;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /** Upgrades the connection to TLS (after STARTTLS or STLS was accepted). */
    final void startTls(SSLContext tls) throws IOException {
        SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(socket,
                socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        upgraded.setUseClientMode(true);
        upgraded.startHandshake();
        use(upgraded);
    }

    /** Sends one line; CR LF is added. */
    final void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line without its line ending, or {@code null} at the end of the stream. */
    final String readLine() throws IOException {
        return in.readLine();
    }

    /** Reads exactly {@code length} characters (an IMAP literal). */
    final String read(int length) throws IOException {
        char[] chars = new char[length];
        int read = 0;
        while (read < length) {
            int n = in.read(chars, read, length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " of " + length + " characters");
            }
            read += n;
        }
        return new String(chars);
    }

    /** True when the server has sent something the client has not read yet (say, a goodbye). */
    final boolean inputWaiting() throws IOException {
        return in.ready();
    }

    /** True at the end of the stream, or if the connection was reset. */
    final boolean closedByServer() {
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
