package org.posthorn.security.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.posthorn.api.tls.TlsMaterial;

/**
 * A real TLS connection over loopback: the server side is configured from a
 * {@link TlsMaterial} the way a listener would (context, protocols, cipher suites, server
 * order), the client is the JDK's {@link SSLSocket} and accepts any certificate so tests can
 * look at which one it got. The server echoes bytes until the client closes.
 */
final class TlsConnection implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final SSLServerSocket server;
    private final SSLSocket client;
    private final CompletableFuture<Void> serverSide;

    private TlsConnection(SSLServerSocket server, SSLSocket client, CompletableFuture<Void> serverSide) {
        this.server = server;
        this.client = client;
        this.serverSide = serverSide;
    }

    /** Connects and completes the handshake; {@code clientProtocols} empty: the JDK's defaults. */
    static TlsConnection open(TlsMaterial tls, String... clientProtocols) throws IOException, GeneralSecurityException {
        SSLServerSocket server = (SSLServerSocket) tls.serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        var parameters = server.getSSLParameters();
        parameters.setProtocols(tls.protocols().toArray(String[]::new));
        parameters.setCipherSuites(tls.cipherSuites().toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        server.setSSLParameters(parameters);
        CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> echo(server));

        SSLSocket client = (SSLSocket) trustingClient().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        client.setSoTimeout(TIMEOUT_MILLIS);
        if (clientProtocols.length > 0) {
            client.setEnabledProtocols(clientProtocols);
        }
        client.startHandshake();
        return new TlsConnection(server, client, serverSide);
    }

    private static void echo(SSLServerSocket server) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                out.write(b);
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    X509Certificate peerCertificate() throws IOException {
        return peerCertificates().get(0);
    }

    List<X509Certificate> peerCertificates() throws IOException {
        return Arrays.stream(client.getSession().getPeerCertificates()).map(X509Certificate.class::cast).toList();
    }

    String protocol() {
        return client.getSession().getProtocol();
    }

    String cipherSuite() {
        return client.getSession().getCipherSuite();
    }

    /** Sends one byte and returns what the server sent back. */
    int echo(int b) throws IOException {
        client.getOutputStream().write(b);
        client.getOutputStream().flush();
        return client.getInputStream().read();
    }

    @Override
    public void close() throws Exception {
        client.close();
        try {
            serverSide.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } finally {
            server.close();
        }
    }

    private static SSLContext trustingClient() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustEverything()}, null);
        return context;
    }

    /** JSSE wraps a plain X509TrustManager and still applies its algorithm constraints. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
