package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserAdmin;

/**
 * The IMAP bundle in the shipped bundle set: a user made through UserAdmin reads a message
 * delivered through MailboxStore over IMAP (plain and implicit TLS), and stopping the bundle
 * says BYE to connected clients and frees the ports; started again, it serves again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ImapIT {

    private static final long WAIT_SECONDS = 30;
    private static final String PASSWORD = "it-secret";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("imap");
        Files.writeString(distribution.conf().resolve("org.posthorn.imap.cfg"), String.join("\n",
                "bind.address=127.0.0.1",
                "imap.port=" + freePort(),
                "imaps.port=" + freePort(),
                "plaintext.login.allowed=true",
                ""));
        return distribution.options();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The port configured in conf/org.posthorn.imap.cfg (written by {@link #config()} in the test JVM). */
    private int port(String key) throws IOException {
        Properties cfg = new Properties();
        try (var in = Files.newInputStream(Path.of(context.getProperty("posthorn.conf"), "org.posthorn.imap.cfg"))) {
            cfg.load(in);
        }
        return Integer.parseInt(cfg.getProperty(key));
    }

    @Test
    public void aDeliveredMessageIsReadOverImapAndImaps() throws Exception {
        String user = newUserWithMessage("imap-reader", "Delivered for IMAP");
        awaitImapServer();
        try (Client client = new Client(new Socket(InetAddress.getLoopbackAddress(), port("imap.port")))) {
            assertTrue(client.line().startsWith("* OK [CAPABILITY IMAP4rev1 "));
            assertTrue(last(client.command("a LOGIN " + user + " " + PASSWORD)).startsWith("a OK"));
            List<String> select = client.command("b SELECT INBOX");
            assertTrue(select.toString(), select.contains("* 1 EXISTS"));
            List<String> fetch = client.command("c FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
            String header = "Subject: Delivered for IMAP\r\n\r\n";
            assertEquals("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {" + header.length() + "}\r\n" + header + ")",
                    fetch.get(0));
            assertEquals("d OK LOGOUT completed", last(client.command("d LOGOUT")));
        }
        SSLSocket tls = (SSLSocket) trustingServerCertificate().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                port("imaps.port"));
        tls.startHandshake();
        try (Client client = new Client(tls)) {
            assertTrue(client.line().startsWith("* OK [CAPABILITY IMAP4rev1 "));
            assertTrue(last(client.command("a LOGIN " + user + " " + PASSWORD)).startsWith("a OK"));
            assertEquals("* STATUS INBOX (MESSAGES 1)", client.command("b STATUS INBOX (MESSAGES)").get(0));
        }
    }

    @Test
    public void stoppingTheBundleSaysByeAndFreesThePortsStartingItServesAgain() throws Exception {
        String user = newUserWithMessage("imap-restart", "Before the restart");
        awaitImapServer();
        int port = port("imap.port");
        Bundle imap = bundle("org.posthorn.imap");
        try (Client client = new Client(new Socket(InetAddress.getLoopbackAddress(), port))) {
            client.line();
            assertTrue(last(client.command("a LOGIN " + user + " " + PASSWORD)).startsWith("a OK"));
            client.command("b SELECT INBOX");
            imap.stop();
            assertEquals("* BYE Server shutting down", client.line());
            assertNull("the server closed the connection", client.lineOrNull());
        }
        for (String key : List.of("imap.port", "imaps.port")) {
            try (ServerSocket free = new ServerSocket(port(key), 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port(key), free.getLocalPort());
            }
        }

        imap.start();
        awaitImapServer();
        try (Client client = new Client(new Socket(InetAddress.getLoopbackAddress(), port))) {
            assertTrue(client.line().startsWith("* OK "));
            assertTrue(last(client.command("c LOGIN " + user + " " + PASSWORD)).startsWith("c OK"));
            assertEquals("* STATUS INBOX (MESSAGES 1)", client.command("d STATUS INBOX (MESSAGES)").get(0));
        }
    }

    /** Adds the domain if needed, an account, and delivers one message into its INBOX. */
    private String newUserWithMessage(String local, String subject) throws Exception {
        UserAdmin admin = service(UserAdmin.class, null);
        if (!admin.domains().contains("example.org")) {
            admin.addDomain("example.org");
        }
        String user = local + "@example.org";
        admin.addUser(user, PASSWORD.toCharArray(), 0, 0);
        String message = "From: sender@example.net\r\nTo: " + user + "\r\nSubject: " + subject + "\r\n\r\nHello.\r\n";
        service(MailboxStore.class, null).append(user, "INBOX",
                MessageSource.ofBytes(message.getBytes(StandardCharsets.UTF_8)), Set.of(), null);
        return user;
    }

    /**
     * Waits for the IMAP component: it registers as a MailboxListener, and getting that service
     * returns only once the component (and with it the server's listeners) is active.
     */
    private void awaitImapServer() throws Exception {
        assertNotNull(service(MailboxListener.class, "(component.name=org.posthorn.imap.ImapServer)"));
    }

    private <T> T service(Class<T> type, String filter) throws Exception {
        return OsgiLookup.service(context, type, filter);
    }

    private Bundle bundle(String symbolicName) {
        return OsgiLookup.bundle(context, symbolicName);
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** A client context that trusts exactly the certificate the distribution serves. */
    private SSLContext trustingServerCertificate() throws Exception {
        X509Certificate certificate = service(TlsMaterial.class, null).certificateChain().get(0);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("posthorn", certificate);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }

    /** A line-based IMAP client; literals in responses are read as lines, which is enough here. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Client(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        String line() throws IOException {
            String line = lineOrNull();
            if (line == null) {
                throw new IOException("connection closed");
            }
            return line;
        }

        String lineOrNull() throws IOException {
            String line = in.readLine();
            // a literal {n}: its bytes and the rest of the response belong to this line
            while (line != null && line.matches(".*\\{\\d+}$")) {
                int length = Integer.parseInt(line.substring(line.lastIndexOf('{') + 1, line.length() - 1));
                char[] literal = new char[length];
                int read = 0;
                while (read < length) {
                    int n = in.read(literal, read, length - read);
                    if (n < 0) {
                        throw new UncheckedIOException(new IOException("connection closed in a literal"));
                    }
                    read += n;
                }
                line = line + "\r\n" + new String(literal) + in.readLine();
            }
            return line;
        }

        List<String> command(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String tag = command.substring(0, command.indexOf(' ') + 1);
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = line();
                lines.add(line);
            } while (!line.startsWith(tag));
            return lines;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
