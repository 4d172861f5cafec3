package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;
import javax.net.ssl.SSLContext;

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
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.UidSet;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserAdmin;

/**
 * The POP3 bundle in Felix with the shipped bundles and its own configuration file: mail the
 * store received is read and deleted over a real socket, and stopping the bundle closes its
 * sessions with a goodbye and frees its ports, and starting it again serves again (issue 8).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Pop3IT {

    private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);
    private static final String PORT_PROPERTY = "posthorn.itest.pop3.";
    private static final String PASSWORD = "pop3 secret";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("pop3");
        int pop3 = PosthornDistribution.freePort();
        int pop3s = PosthornDistribution.freePort();
        Files.writeString(distribution.conf().resolve("org.posthorn.pop3.cfg"), String.join("\n",
                "bind.address=127.0.0.1",
                "pop3.port=" + pop3,
                "pop3s.port=" + pop3s,
                "auth.failure.delay.millis=10", ""));
        return distribution.options(
                systemProperty(PORT_PROPERTY + "pop3").value(Integer.toString(pop3)),
                systemProperty(PORT_PROPERTY + "pop3s").value(Integer.toString(pop3s)));
    }

    @Test
    public void mailDeliveredThroughTheStoreIsRetrievedAndDeleted() throws Exception {
        String account = newAccount("reader");
        String message = "From: a@elsewhere.example\r\nSubject: itest\r\n\r\nHello over POP3\r\n.dot line\r\n";
        deliver(account, message);

        try (Pop3Client client = Pop3Client.connect(port("pop3"))) {
            assertTrue(client.multiLine("CAPA").contains("STLS"));
            assertTrue(client.command("USER " + account).startsWith("-ERR [AUTH] Plaintext login is not allowed"));
            assertEquals("+OK Begin TLS negotiation", client.command("STLS"));
            client.startTls(trustingServer());
            assertTrue(client.multiLine("CAPA").contains("USER"));
            login(client, account);
            assertEquals("+OK 1 " + message.length(), client.command("STAT"));
        }
        try (Pop3Client client = Pop3Client.implicitTls(port("pop3s"), trustingServer())) {
            login(client, account);
            assertEquals("+OK 1 " + message.length(), client.command("STAT"));
            assertEquals("+OK " + message.length() + " octets", client.command("RETR 1"));
            assertEquals(List.of("From: a@elsewhere.example", "Subject: itest", "", "Hello over POP3", "..dot line"),
                    client.lines());
            assertEquals("+OK Message 1 deleted", client.command("DELE 1"));
            assertEquals("+OK Bye; 0 messages left", client.command("QUIT"));
        }
        assertTrue("the INBOX is empty", awaitService(MailboxStore.class).messages(account, "INBOX", UidSet.ALL).isEmpty());
    }

    @Test
    public void stoppingTheBundleClosesSessionsAndFreesItsPortsAndStartingItServesAgain() throws Exception {
        String account = newAccount("restart");
        deliver(account, "Subject: kept\r\n\r\nStill here after the restart\r\n");
        int pop3 = port("pop3");
        int pop3s = port("pop3s");

        Bundle bundle = bundle("org.posthorn.pop3");
        try (Pop3Client client = Pop3Client.implicitTls(pop3s, trustingServer())) {
            login(client, account);
            assertEquals("+OK Message 1 deleted", client.command("DELE 1"));
            bundle.stop();
            assertEquals("-ERR [SYS/TEMP] Server shutting down; nothing was deleted, try again later", client.readLine());
            assertTrue("the connection is closed", client.closedByServer());
        }
        assertPortFree(pop3);
        assertPortFree(pop3s);

        bundle.start();
        try (Pop3Client client = Pop3Client.implicitTls(port("pop3s"), trustingServer())) {
            login(client, account);
            String stat = client.command("STAT");
            assertTrue("a DELE not followed by QUIT deletes nothing: " + stat, stat.startsWith("+OK 1 "));
            assertEquals("+OK Bye; 1 messages left", client.command("QUIT"));
        }
    }

    private String newAccount(String name) throws Exception {
        UserAdmin users = awaitService(UserAdmin.class);
        String domain = name + ".pop3.itest.example";
        users.addDomain(domain);
        return users.addUser(name + "@" + domain, PASSWORD.toCharArray(), 0, 0).name();
    }

    private void deliver(String account, String message) throws Exception {
        Delivery.Outcome outcome = awaitService(MailboxStore.class).deliver(List.of(Delivery.inbox(account)),
                MessageSource.ofBytes(message.getBytes(StandardCharsets.UTF_8)), null).get(0);
        assertTrue("delivered: " + outcome.failure(), outcome.delivered());
    }

    /** A client context that trusts the certificate the security bundle serves. */
    private SSLContext trustingServer() throws Exception {
        return LineClient.trusting(awaitService(TlsMaterial.class).certificateChain().get(0));
    }

    private static void login(Pop3Client client, String account) throws IOException {
        String reply = client.login(account, PASSWORD);
        assertTrue(reply, reply.startsWith("+OK Logged in"));
    }

    private <T> T awaitService(Class<T> type) throws Exception {
        return RunningFramework.service(context, type, null);
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, socket.getLocalPort());
        }
    }

    /** The port of a listener, once it accepts connections (the component starts when FileInstall applies conf/). */
    private static int port(String listener) {
        int port = Integer.getInteger(PORT_PROPERTY + listener);
        awaitTrue("POP3 listener " + listener + " on port " + port, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return port;
    }

    /** Polls until {@code condition} holds, failing after the wait limit. */
    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited in vain for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private Bundle bundle(String symbolicName) {
        return RunningFramework.bundle(context, symbolicName);
    }
}
