package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
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
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.dns.testing.DnsTestServer;
import org.posthorn.queue.testing.SmtpSink;

/**
 * Issue 6 end to end, in the shipped Felix: a user submits one message over SMTP for three local
 * users and one address in another domain. The local copies land in the users' INBOXes in the
 * Derby store; the remote copy goes, through the shipped DNS resolver pointed at a DNS server on
 * loopback (an MX record for the other domain) and remote delivery, to an SMTP sink standing in
 * for that domain's mail server. A recipient the remote server refuses comes back as a bounce in
 * the sender's own mailbox.
 *
 * <p>The message is submitted on the submission port after STARTTLS and AUTH: the MX port
 * accepts mail for the local domains only (relaying needs AUTH, docs/smtp.md).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeliveryIT {

    private static final long WAIT_SECONDS = 30;
    private static final String DOMAIN = "local.example";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final List<String> LOCAL = List.of("bob@" + DOMAIN, "carol@" + DOMAIN, "dave@" + DOMAIN);
    private static final String REMOTE = "erin@remote.example";
    private static final String REFUSED = "nobody@remote.example";
    private static final String DNS_PORT = "posthorn.itest.dns.port";
    private static final String SINK_PORT = "posthorn.itest.sink.port";

    @Inject
    private BundleContext context;

    private final BlockingQueue<String> inboxArrivals = new LinkedBlockingQueue<>();
    private ServiceRegistration<MailboxListener> listening;
    private DnsTestServer dns;
    private SmtpSink sink;

    /**
     * The DNS server and the sink start in the test, on ports chosen here so the shipped
     * components are configured from conf/ at boot, as an admin would configure them.
     */
    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("delivery");
        int submission = PosthornDistribution.freePort();
        int dnsPort = freeUdpPort();
        int sinkPort = PosthornDistribution.freePort();
        Files.writeString(distribution.conf().resolve("org.posthorn.smtp.cfg"), String.join("\n",
                "host.name=mx.itest.example",
                "bind.address=127.0.0.1",
                "mx.enabled=false",
                "submissions.enabled=false",
                "submission.port=" + submission, ""));
        Files.writeString(distribution.conf().resolve("org.posthorn.dns.cfg"), String.join("\n",
                "servers=127.0.0.1:" + dnsPort,
                "timeout.ms=2000", ""));
        // The sink is on loopback, which loop detection counts as this machine unless told otherwise.
        Files.writeString(distribution.conf().resolve("org.posthorn.queue.remote.cfg"), String.join("\n",
                "helo.name=posthorn.itest.example",
                "mx.port=" + sinkPort,
                "local.addresses.detect=false", ""));
        return distribution.options(
                systemProperty("posthorn.itest.smtp.submission").value(Integer.toString(submission)),
                systemProperty(DNS_PORT).value(Integer.toString(dnsPort)),
                systemProperty(SINK_PORT).value(Integer.toString(sinkPort)));
    }

    @Before
    public void startRemoteWorld() throws Exception {
        dns = DnsTestServer.start(Integer.getInteger(DNS_PORT))
                .mx("remote.example", 10, "mx.remote.example")
                .a("mx.remote.example", "127.0.0.1");
        sink = SmtpSink.start(Integer.getInteger(SINK_PORT));
        awaitService("(&(objectClass=" + DnsResolver.class.getName() + ")(servers=127.0.0.1:" + dns.address().getPort() + "))");
        awaitService("(&(objectClass=org.posthorn.queue.remote.RemoteDelivery)(mx.port=" + sink.port() + "))");
        awaitService(MailQueue.class);
        addUsers();
        listening = context.registerService(MailboxListener.class, event -> {
            if (event.kind() == MailboxEvent.Kind.ADDED && event.mailbox().equals("INBOX")) {
                inboxArrivals.add(event.account());
            }
        }, null);
    }

    @After
    public void stopRemoteWorld() throws IOException {
        listening.unregister();
        sink.close();
        dns.close();
    }

    @Test
    public void oneMessageReachesThreeLocalInboxesAndTheRemoteDomainsServer() throws Exception {
        String message = "From: Alice <alice@local.example>\r\nTo: team\r\nSubject: to all four\r\n\r\nHello, all four.\r\n";
        String reply = submit(List.of(LOCAL.get(0), LOCAL.get(1), LOCAL.get(2), REMOTE), message);
        assertTrue(reply, reply.startsWith("250 2.0.0 Ok: queued as "));

        assertTrue("the three local copies were delivered", awaitInboxDeliveries(LOCAL));
        for (String account : LOCAL) {
            List<String> inbox = inbox(account);
            assertEquals(account, 1, inbox.size());
            String text = inbox.get(0);
            assertTrue(text, text.startsWith("Return-Path: <" + ALICE + ">\r\nDelivered-To: " + account + "\r\nReceived: "));
            assertTrue(text, text.endsWith("\r\n" + message));
        }

        assertTrue("the remote copy reached the domain's MX", sink.awaitReceived(WAIT_SECONDS));
        SmtpSink.Received remote = sink.received().get(0);
        assertTrue(remote.mailFrom(), remote.mailFrom().startsWith("<" + ALICE + ">"));
        assertEquals(1, remote.rcptTo().size());
        assertTrue(remote.rcptTo().get(0), remote.rcptTo().get(0).startsWith("<" + REMOTE + ">"));
        String text = new String(remote.data(), StandardCharsets.UTF_8);
        assertTrue(text, text.startsWith("Received: "));
        assertTrue(text, text.endsWith("\r\n" + message));
        assertFalse("no local trace fields on the remote copy", text.contains("Delivered-To:"));
        assertTrue("the MX was found through the shipped resolver", dns.queries() > 0);
    }

    @Test
    public void aRemoteRecipientRefusedWith550BouncesIntoTheSendersInbox() throws Exception {
        sink.script.rcptReplies.put(REFUSED, "550 5.1.1 <" + REFUSED + ">: no such user");
        int before = inbox(ALICE).size();
        String reply = submit(List.of(REMOTE, REFUSED), "Subject: partly refused\r\n\r\nHello.\r\n");
        assertTrue(reply, reply.startsWith("250 2.0.0 Ok: queued as "));

        assertTrue("the accepted recipient got its copy", sink.awaitReceived(WAIT_SECONDS));
        assertEquals(List.of(REMOTE), sink.received().get(0).rcptTo().stream().map(r -> r.substring(1, r.indexOf('>'))).toList());

        assertTrue("a bounce reached the sender's INBOX", awaitInboxDeliveries(List.of(ALICE)));
        List<String> inbox = inbox(ALICE);
        assertEquals(before + 1, inbox.size());
        String dsn = inbox.get(inbox.size() - 1);
        assertTrue(dsn, dsn.startsWith("Return-Path: <>\r\nDelivered-To: " + ALICE + "\r\n"));
        assertTrue(dsn, dsn.contains("report-type=delivery-status"));
        assertTrue(dsn, dsn.contains("Final-Recipient: rfc822; " + REFUSED + "\r\n"));
        assertTrue(dsn, dsn.contains("Action: failed\r\n"));
        assertTrue(dsn, dsn.contains("Status: 5.1.1\r\n"));
        assertTrue(dsn, dsn.contains("Diagnostic-Code: smtp; 550 5.1.1 <" + REFUSED + ">: no such user"));
        assertFalse("the delivered recipient is not reported", dsn.contains("Final-Recipient: rfc822; " + REMOTE));
    }

    /** Alice submits: EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT for each, DATA. Returns the reply to the final dot. */
    private static String submit(List<String> recipients, String message) throws Exception {
        return Submission.send(ALICE, "secret", recipients, message);
    }

    /** The shipped directory learns the local domain, alice (who logs in) and the three recipients; once per run. */
    private void addUsers() throws Exception {
        UserAdmin users = awaitService(UserAdmin.class);
        if (users.domains().contains(DOMAIN)) {
            return;
        }
        users.addDomain(DOMAIN);
        users.addUser(ALICE, "secret".toCharArray(), 0, 0);
        for (String account : LOCAL) {
            users.addUser(account, null, 0, 0);
        }
    }

    /** Waits until each of {@code accounts} got a message in its INBOX (told by the store's events). */
    private boolean awaitInboxDeliveries(List<String> accounts) throws InterruptedException {
        Set<String> waiting = new HashSet<>(accounts);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!waiting.isEmpty()) {
            String account = inboxArrivals.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (account == null) {
                return false;
            }
            waiting.remove(account);
        }
        return true;
    }

    private List<String> inbox(String account) throws Exception {
        return Mailboxes.inbox(awaitService(MailboxStore.class), account);
    }

    private <T> T awaitService(Class<T> type) throws Exception {
        return type.cast(awaitService("(objectClass=" + type.getName() + ")"));
    }

    /** Waits for a service matching an LDAP filter: one configured from conf/, say. */
    private Object awaitService(String filter) throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, context.createFilter(filter), null);
        tracker.open();
        try {
            Object service = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertNotNull("a service " + filter, service);
            return service;
        } finally {
            tracker.close();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
