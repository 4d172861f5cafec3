package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
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
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.smtp.SmtpPolicy;
import org.posthorn.api.tls.TlsMaterial;
import java.util.concurrent.CountDownLatch;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.user.UserAdmin;

/**
 * The SMTP bundle in Felix with the shipped bundles: its three listeners answer, it refuses mail
 * while no queue is registered and accepts it once one is, and it keeps its listeners while the
 * security bundle (its TLS material) is stopped and started again (issue 3).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SmtpIT {

    private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);
    private static final String PORT_PROPERTY = "posthorn.itest.smtp.";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("smtp");
        int mx = PosthornDistribution.freePort();
        int submission = PosthornDistribution.freePort();
        int submissions = PosthornDistribution.freePort();
        Files.writeString(distribution.conf().resolve("org.posthorn.smtp.cfg"), String.join("\n",
                "host.name=mx.itest.example",
                "bind.address=127.0.0.1",
                "mx.port=" + mx,
                "submission.port=" + submission,
                "submissions.port=" + submissions,
                "auth.failure.delay.millis=10", ""));
        return distribution.options(
                systemProperty(PORT_PROPERTY + "mx").value(Integer.toString(mx)),
                systemProperty(PORT_PROPERTY + "submission").value(Integer.toString(submission)),
                systemProperty(PORT_PROPERTY + "submissions").value(Integer.toString(submissions)));
    }

    @Test
    public void listenersAnswerAndMailWaitsForAQueue() throws Exception {
        SSLContext tls = trustingServer();
        try (SmtpClient client = SmtpClient.connect(port("mx"))) {
            assertTrue(client.command("EHLO client.example").contains("\n250-STARTTLS"));
            assertEquals("250 2.0.0 Ok", client.command("NOOP"));
        }
        try (SmtpClient client = SmtpClient.connect(port("submission"))) {
            client.command("EHLO client.example");
            assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
            client.startTls(tls);
            String ehlo = client.command("EHLO client.example");
            assertTrue(ehlo, ehlo.contains("\n250-AUTH PLAIN LOGIN"));
            assertFalse(ehlo, ehlo.contains("STARTTLS"));
        }
        try (SmtpClient client = SmtpClient.implicitTls(port("submissions"), tls)) {
            assertTrue(client.command("EHLO client.example").contains("\n250-AUTH PLAIN LOGIN"));
        }

        // the shipped directory (org.posthorn.store.derby) learns the domain and its user
        UserAdmin users = awaitService(UserAdmin.class);
        users.addDomain("itest.example");
        users.addUser("alice@itest.example", "secret".toCharArray(), 0, 0);

        // queue bundle stopped: mail is refused as temporary, never accepted
        Bundle queueBundle = bundle("org.posthorn.queue");
        queueBundle.stop();
        assertTrue(context.getServiceReference(MailQueue.class) == null);
        try (SmtpClient client = SmtpClient.connect(port("mx"))) {
            client.command("EHLO client.example");
            String reply = transaction(client);
            assertTrue(reply, reply.startsWith("451 4.3.0"));
        }

        // queue back: accepted, queued durably, and delivered into alice's INBOX
        CountDownLatch delivered = new CountDownLatch(1);
        MailboxListener listener = event -> {
            if (event.account().equals("alice@itest.example") && event.kind() == MailboxEvent.Kind.ADDED) {
                delivered.countDown();
            }
        };
        ServiceRegistration<MailboxListener> listening = context.registerService(MailboxListener.class, listener, null);
        try {
            queueBundle.start();
            awaitService(MailQueue.class);
            try (SmtpClient client = SmtpClient.connect(port("mx"))) {
                client.command("EHLO client.example");
                String reply = transaction(client);
                assertTrue(reply, reply.startsWith("250 2.0.0 Ok: queued as "));
            }
            assertTrue("the message reached the mailbox", delivered.await(30, TimeUnit.SECONDS));
        } finally {
            listening.unregister();
        }
        MailboxStore store = awaitService(MailboxStore.class);
        StoredMessage stored = store.message("alice@itest.example", "INBOX",
                store.select("alice@itest.example", "INBOX", true).uids().last());
        String text;
        try (InputStream in = stored.source().openStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(text, text.startsWith("Return-Path: <sender@elsewhere.example>"));
        assertTrue(text, text.contains("Received: from client.example"));
        assertTrue(text, text.endsWith("\r\n\r\nHello from the itest\r\n"));
    }

    private <T> T awaitService(Class<T> type) throws Exception {
        return RunningFramework.service(context, type, null);
    }

    /** MAIL, RCPT, DATA; returns the first reply that is not a success, or the final one. */
    private static String transaction(SmtpClient client) throws IOException {
        for (String command : List.of("MAIL FROM:<sender@elsewhere.example>", "RCPT TO:<alice@itest.example>", "DATA")) {
            String reply = client.command(command);
            if (!reply.startsWith("250") && !reply.startsWith("354")) {
                return reply;
            }
        }
        return client.command("Subject: itest\r\n\r\nHello from the itest\r\n.");
    }

    @Test
    public void aPolicyServiceRegisteredAtRuntimeAnswersAtRcptUntilItIsUnregistered() throws Exception {
        awaitService(MailQueue.class);
        SmtpPolicy greylisting = new SmtpPolicy() {
            @Override
            public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                return PolicyVerdict.tempfail(451, "4.7.1", "Greylisted by the itest");
            }
        };
        ServiceRegistration<SmtpPolicy> registration = context.registerService(SmtpPolicy.class, greylisting,
                new Hashtable<>(Map.of(Constants.SERVICE_RANKING, 10)));
        try (SmtpClient client = SmtpClient.connect(port("mx"))) {
            client.command("EHLO client.example");
            assertEquals("250 2.1.0 Ok", client.command("MAIL FROM:<sender@elsewhere.example>"));
            assertEquals("451 4.7.1 Greylisted by the itest", client.command("RCPT TO:<postmaster>"));
            registration.unregister();
            assertEquals("250 2.1.5 Ok", client.command("RCPT TO:<postmaster>"));
        }
    }

    @Test
    public void listenersSurviveTheSecurityBundleStoppingAndTlsReturnsWithIt() throws Exception {
        SSLContext tls = trustingServer();
        try (SmtpClient client = SmtpClient.implicitTls(port("submissions"), tls)) {
            assertTrue(client.command("EHLO client.example").startsWith("250"));
        }

        Bundle security = bundle("org.posthorn.security");
        security.stop();
        try {
            assertTrue(context.getServiceReference(TlsMaterial.class) == null);
            try (SmtpClient client = SmtpClient.connect(port("mx"))) {
                String ehlo = client.command("EHLO client.example");
                assertFalse(ehlo, ehlo.contains("STARTTLS"));
                assertEquals("454 4.7.0 TLS not available due to temporary reason", client.command("STARTTLS"));
                assertEquals("250 2.0.0 Ok", client.command("NOOP"));
            }
            try (SmtpClient client = SmtpClient.connect(port("submission"))) {
                assertFalse(client.command("EHLO client.example").contains("STARTTLS"));
            }
            try {
                SmtpClient.implicitTls(port("submissions"), tls).close();
                fail("an implicit-TLS connection without TLS material must be refused");
            } catch (IOException expected) {
                // the connection is closed before the handshake
            }
        } finally {
            security.start();
        }

        tls = trustingServer();
        try (SmtpClient client = SmtpClient.implicitTls(port("submissions"), tls)) {
            assertTrue(client.command("EHLO client.example").contains("AUTH PLAIN LOGIN"));
        }
        try (SmtpClient client = SmtpClient.connect(port("submission"))) {
            assertTrue(client.command("EHLO client.example").contains("\n250-STARTTLS"));
            assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
            client.startTls(tls);
            assertEquals("250 2.0.0 Ok", client.command("NOOP"));
        }
    }

    /** A client TLS context that trusts the certificate the security bundle serves now. */
    private SSLContext trustingServer() throws Exception {
        return LineClient.trusting(awaitService(TlsMaterial.class).certificateChain().get(0));
    }

    /** The port of a listener, once it accepts connections (the component starts when FileInstall applies conf/). */
    static int port(String listener) {
        int port = Integer.getInteger(PORT_PROPERTY + listener);
        awaitTrue("SMTP listener " + listener + " on port " + port, () -> {
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
