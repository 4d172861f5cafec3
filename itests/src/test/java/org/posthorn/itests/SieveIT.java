package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.UidSet;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserAdmin;

/**
 * The Sieve bundle in Felix with the shipped bundles (issue 10): a script uploaded and activated
 * over ManageSieve (STARTTLS, AUTHENTICATE PLAIN) files a message received over SMTP into a
 * folder with a flag, through the real queue and store.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SieveIT {

    private static final String PORT_PROPERTY = "posthorn.itest.sieve.";
    private static final String PASSWORD = "sieve secret";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("sieve");
        int mx = PosthornDistribution.freePort();
        int managesieve = PosthornDistribution.freePort();
        Files.writeString(distribution.conf().resolve("org.posthorn.smtp.cfg"), String.join("\n",
                "host.name=mx.itest.example", "bind.address=127.0.0.1", "mx.port=" + mx,
                "submission.enabled=false", "submissions.enabled=false", ""));
        Files.writeString(distribution.conf().resolve("org.posthorn.managesieve.cfg"), String.join("\n",
                "bind.address=127.0.0.1", "managesieve.port=" + managesieve, ""));
        return distribution.options(
                systemProperty(PORT_PROPERTY + "mx").value(Integer.toString(mx)),
                systemProperty(PORT_PROPERTY + "managesieve").value(Integer.toString(managesieve)));
    }

    @Test
    public void aScriptUploadedOverManageSieveFilesMailReceivedOverSmtpIntoAFolder() throws Exception {
        String account = newAccount("sorter");
        upload(account, "require [\"fileinto\", \"imap4flags\"];\r\n"
                + "if header :contains \"subject\" \"[itest]\" {\r\n"
                + "    fileinto :flags \"\\\\Flagged\" \"Sorted\";\r\n}\r\n");

        send("someone@elsewhere.example", account, "Subject: [itest] sorted by Sieve");

        MailboxStore store = awaitService(MailboxStore.class);
        List<MessageMeta> sorted = store.messages(account, "Sorted", UidSet.ALL);
        assertEquals(1, sorted.size());
        assertEquals(Set.of("\\Flagged"), sorted.get(0).flags());
        assertTrue("nothing in INBOX", store.messages(account, "INBOX", UidSet.ALL).isEmpty());
    }

    @Test
    public void aVacationResponseIsQueuedFromTheNullSenderAndReachesTheSender() throws Exception {
        String away = newAccount("away");
        String colleague = newAccount("colleague");
        upload(away, "require \"vacation\";\r\nvacation :days 3 \"Back on Monday.\";\r\n");

        // the colleague's mailbox receives the response; the away user's INBOX the message itself
        send(colleague, away, "Subject: Lunch?");

        MailboxStore store = awaitService(MailboxStore.class);
        awaitMessage(colleague);
        List<MessageMeta> replies = store.messages(colleague, "INBOX", UidSet.ALL);
        String reply;
        try (InputStream in = store.message(colleague, "INBOX", replies.get(0).uid()).source().openStream()) {
            reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(reply, reply.startsWith("Return-Path: <>\r\n"));
        assertTrue(reply, reply.contains("\r\nSubject: Auto: Lunch?\r\n"));
        assertTrue(reply, reply.contains("\r\nAuto-Submitted: auto-replied"));
        assertTrue(reply, reply.endsWith("\r\n\r\nBack on Monday.\r\n"));
        assertEquals(1, store.messages(away, "INBOX", UidSet.ALL).size());
    }

    private String newAccount(String name) throws Exception {
        UserAdmin users = awaitService(UserAdmin.class);
        String domain = name + ".sieve.itest.example";
        users.addDomain(domain);
        return users.addUser(name + "@" + domain, PASSWORD.toCharArray(), 0, 0).name();
    }

    /** Uploads and activates a script over ManageSieve, after STARTTLS and AUTHENTICATE PLAIN. */
    private void upload(String account, String script) throws Exception {
        try (Client sieve = new Client(Integer.getInteger(PORT_PROPERTY + "managesieve"))) {
            assertTrue(sieve.until("OK").contains("\"STARTTLS\""));
            assertEquals("OK \"Begin TLS negotiation now\"", sieve.command("STARTTLS"));
            sieve.startTls(trustingServer());
            assertTrue(sieve.until("OK").contains("\"SASL\" \"PLAIN\""));
            String plain = Base64.getEncoder().encodeToString(("\0" + account + "\0" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals("OK \"Authenticated\"", sieve.command("AUTHENTICATE \"PLAIN\" \"" + plain + "\""));
            assertEquals("OK \"Putscript completed\"", sieve.command("PUTSCRIPT \"main\" {"
                    + script.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + script));
            assertEquals("OK \"Setactive completed\"", sieve.command("SETACTIVE \"main\""));
            assertEquals("OK \"Logout\"", sieve.command("LOGOUT"));
        }
    }

    /** Sends a message over SMTP (MX listener) and waits until it reached one of the recipient's mailboxes. */
    private void send(String from, String to, String subjectField) throws Exception {
        awaitService(MessageFilter.class);
        awaitService(MailQueue.class);
        try (Client smtp = new Client(Integer.getInteger(PORT_PROPERTY + "mx"))) {
            assertTrue(smtp.line().startsWith("220 "));
            assertTrue(smtp.command("HELO client.itest.example").startsWith("250"));
            assertTrue(smtp.command("MAIL FROM:<" + from + ">").startsWith("250"));
            assertTrue(smtp.command("RCPT TO:<" + to + ">").startsWith("250"));
            assertTrue(smtp.command("DATA").startsWith("354"));
            String reply = smtp.command("From: <" + from + ">\r\nTo: <" + to + ">\r\n" + subjectField
                    + "\r\nMessage-ID: <" + System.nanoTime() + "@itest.example>\r\n\r\nHello.\r\n.");
            assertTrue(reply, reply.startsWith("250"));
        }
        awaitMessage(to);
    }

    /** Waits until a message arrives in a mailbox of the account, or is there already. */
    private void awaitMessage(String account) throws Exception {
        CountDownLatch delivered = new CountDownLatch(1);
        MailboxListener listener = event -> {
            if (event.account().equals(account) && event.kind() == MailboxEvent.Kind.ADDED) {
                delivered.countDown();
            }
        };
        ServiceRegistration<MailboxListener> listening = context.registerService(MailboxListener.class, listener, null);
        try {
            MailboxStore store = awaitService(MailboxStore.class);
            boolean there = store.mailboxes(account).stream().anyMatch(m -> {
                try {
                    return !store.messages(account, m.name(), UidSet.ALL).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue("a message reached a mailbox of " + account, there || delivered.await(30, TimeUnit.SECONDS));
        } finally {
            listening.unregister();
        }
    }

    private <T> T awaitService(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(30_000);
            assertTrue(type.getSimpleName() + " service registered", service != null);
            return service;
        } finally {
            tracker.close();
        }
    }

    /** A client context that trusts the certificate the security bundle serves. */
    private SSLContext trustingServer() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("posthorn", awaitService(TlsMaterial.class).certificateChain().get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }

    /** A line client for SMTP and ManageSieve, with a STARTTLS upgrade. */
    private static final class Client implements AutoCloseable {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        /** Connects, retrying for a while: the listener opens once its component has its configuration. */
        Client(int port) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    break;
                } catch (ConnectException e) {
                    socket.close();
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        String command(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return line();
        }

        /** The lines up to and including one starting with {@code last}. */
        String until(String last) throws IOException {
            StringBuilder lines = new StringBuilder();
            String line;
            do {
                line = line();
                lines.append(line).append('\n');
            } while (!line.startsWith(last));
            return lines.toString();
        }

        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed after " + line);
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        void startTls(SSLContext tls) throws IOException {
            SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost",
                    socket.getPort(), true);
            upgraded.startHandshake();
            socket = upgraded;
            in = upgraded.getInputStream();
            out = upgraded.getOutputStream();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
