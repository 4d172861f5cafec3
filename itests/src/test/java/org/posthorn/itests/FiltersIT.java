package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.api.user.UserAdmin;

/**
 * The built-in filters of {@code org.posthorn.filters} in the shipped Felix with the shipped
 * configuration (plus one pattern rule an admin added to {@code conf/}, and greylisting turned on):
 * mail submitted over SMTP with an executable attachment lands in the recipient's Junk, tagged; a
 * message matching the admin's reject rule comes back to the sender as a bounce; plain mail is
 * untouched; a new correspondent at the MX is greylisted at RCPT and its retry is delivered.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FiltersIT {

    private static final long WAIT_SECONDS = 30;
    private static final String DOMAIN = "filters.example";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String BOB = "bob@" + DOMAIN;

    @Inject
    private BundleContext context;

    private final BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
    private ServiceRegistration<MailboxListener> listening;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("filters");
        int mx = PosthornDistribution.freePort();
        int submission = PosthornDistribution.freePort();
        Files.writeString(distribution.conf().resolve("org.posthorn.smtp.cfg"), String.join("\n",
                "host.name=mx.itest.example",
                "bind.address=127.0.0.1",
                "mx.port=" + mx,
                "submissions.enabled=false",
                "submission.port=" + submission, ""));
        // greylisting on, for mail from loopback too, and with no wait: the first retry passes
        Path greylist = distribution.conf().resolve("org.posthorn.filters.greylist.cfg");
        Files.writeString(greylist, Files.readString(greylist)
                .replace("enabled=false", "enabled=true")
                .replace("delay.seconds=300", "delay.seconds=0")
                .replace("whitelist.clients=127.0.0.0/8,::1/128", "whitelist.clients="));
        Path rules = distribution.conf().resolve("org.posthorn.filters.rules.cfg");
        Files.writeString(rules, Files.readString(rules) + "rule.lottery=reject header:Subject (?i)\\\\byou have won\\\\b\n");
        return distribution.options(
                systemProperty("posthorn.itest.smtp.mx").value(Integer.toString(mx)),
                systemProperty("posthorn.itest.smtp.submission").value(Integer.toString(submission)));
    }

    @Before
    public void listen() throws Exception {
        awaitService(MailQueue.class);
        // the four shipped rules are configured from conf/, so all four are in the chain
        for (String rule : List.of("SizeFilter", "RecipientCountFilter", "AttachmentFilter", "PatternRuleFilter")) {
            awaitService("(&(objectClass=" + MessageFilter.class.getName() + ")(component.name=org.posthorn.filters." + rule + "))");
        }
        UserAdmin users = awaitService(UserAdmin.class);
        if (!users.domains().contains(DOMAIN)) {
            users.addDomain(DOMAIN);
            users.addUser(ALICE, "secret".toCharArray(), 0, 0);
            users.addUser(BOB, null, 0, 0);
        }
        listening = context.registerService(MailboxListener.class, event -> {
            if (event.kind() == MailboxEvent.Kind.ADDED) {
                arrivals.add(event.account() + " " + event.mailbox());
            }
        }, null);
    }

    @After
    public void stopListening() {
        listening.unregister();
    }

    @Test
    public void anExecutableAttachmentGoesToJunkWithTheReasonAndPlainMailToTheInbox() throws Exception {
        String reply = Submission.send(ALICE, "secret", BOB, String.join("\r\n",
                "From: <" + ALICE + ">",
                "Subject: the tool",
                "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"b1\"",
                "",
                "--b1",
                "Content-Type: text/plain",
                "",
                "here it is",
                "--b1",
                "Content-Type: application/octet-stream; name=\"setup.exe\"",
                "Content-Transfer-Encoding: base64",
                "",
                "TVqQAAMAAAAEAAAA",
                "--b1--", ""));
        assertTrue(reply, reply.startsWith("250"));
        assertEquals(BOB + " Junk", nextArrival());
        String junk = last(BOB, "Junk");
        assertTrue(junk, junk.contains("\r\nX-Posthorn-Filter: attachment type not accepted: setup.exe\r\n"));

        assertTrue(Submission.send(ALICE, "secret", BOB, "Subject: lunch\r\n\r\nat noon?\r\n").startsWith("250"));
        assertEquals(BOB + " INBOX", nextArrival());
        String inbox = last(BOB, "INBOX");
        assertTrue(inbox, inbox.contains("\r\nSubject: lunch\r\n"));
        assertTrue(inbox, inbox.endsWith("\r\n\r\nat noon?\r\n"));
        assertTrue(inbox, !inbox.contains("X-Posthorn-Filter"));
    }

    @Test
    public void aMessageMatchingTheAdminsRejectRuleBouncesToTheSender() throws Exception {
        assertTrue(Submission.send(ALICE, "secret", BOB, "Subject: You have WON a prize\r\n\r\nclaim it\r\n").startsWith("250"));

        assertEquals("the bounce reaches alice, nothing reaches bob", ALICE + " INBOX", nextArrival());
        String bounce = last(ALICE, "INBOX");
        assertTrue(bounce, bounce.contains("Status: 5.7.1\r\n"));
        assertTrue(bounce, bounce.contains("Message refused: rule lottery matched Subject"));
    }

    @Test
    public void aNewCorrespondentIsGreylistedAtRcptAndItsRetryIsDelivered() throws Exception {
        awaitService("(&(objectClass=org.posthorn.api.smtp.SmtpPolicy)(component.name=org.posthorn.filters.GreylistPolicy)"
                + "(enabled=true))");
        try (SmtpClient client = SmtpClient.connect(SmtpIT.port("mx"))) {
            client.command("EHLO mail.sender.example");
            assertTrue(client.command("MAIL FROM:<news@sender.example>").startsWith("250"));
            assertEquals("451 4.7.1 Greylisted, please try again later", client.command("RCPT TO:<" + BOB + ">"));
            assertTrue(client.command("RSET").startsWith("250"));

            // the shipped configuration is edited to delay.seconds=0 for this test: the retry passes at once
            assertTrue(client.command("MAIL FROM:<news@sender.example>").startsWith("250"));
            assertTrue(client.command("RCPT TO:<" + BOB + ">").startsWith("250"));
            assertTrue(client.command("DATA").startsWith("354"));
            assertTrue(client.command("Subject: news\r\n\r\nfresh\r\n.").startsWith("250"));
        }
        assertEquals(BOB + " INBOX", nextArrival());
        String delivered = last(BOB, "INBOX");
        assertTrue(delivered, delivered.contains("\r\nX-Posthorn-Greylist: delayed "));
    }

    private String nextArrival() throws InterruptedException {
        String arrival = arrivals.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull("a message arrived", arrival);
        return arrival;
    }

    /** The newest message of a mailbox, as text. */
    private String last(String account, String mailbox) throws Exception {
        List<String> texts = new ArrayList<>();
        for (StoredMessage message : awaitService(MailboxStore.class).fetch(account, mailbox, UidSet.ALL)) {
            try (InputStream in = message.source().openStream()) {
                texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return texts.get(texts.size() - 1);
    }

    private <T> T awaitService(Class<T> type) throws Exception {
        return type.cast(awaitService("(objectClass=" + type.getName() + ")"));
    }

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
}
