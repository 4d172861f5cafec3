package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.api.user.UserDirectory;

/**
 * The admin commands in the shipped bundle set, run through Gogo's CommandProcessor as the
 * console and {@code bin/posthorn shell} run them: users against the real store, the queue
 * against the real queue, status and TLS against the running listeners and certificate. While
 * the store bundle is stopped, its commands say so and the others keep working.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT {

    private static final long WAIT_SECONDS = RunningFramework.WAIT_SECONDS;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("shell");
        // Recipients that waited for the user directory are retried within seconds, not a minute,
        // whether or not the queue's wake-up on the directory's return catches them.
        Files.writeString(distribution.conf().resolve("org.posthorn.queue.cfg"),
                "unavailable.retry=5s\nscan.interval=1s\n", StandardOpenOption.APPEND);
        return distribution.options();
    }

    private record Result(String output, Exception failure) { }

    private Result run(String command, String input) throws Exception {
        CommandProcessor processor = service(CommandProcessor.class);
        // the shell bundle's component registers the commands, maybe after the processor appeared
        RunningFramework.service(context, Function.class, "(osgi.command.function=status)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, out)) {
            session.execute(command);
            return new Result(out.toString(StandardCharsets.UTF_8), null);
        } catch (Exception e) {
            return new Result(out.toString(StandardCharsets.UTF_8), e);
        }
    }

    private String ok(String command) throws Exception {
        return ok(command, "");
    }

    private String ok(String command, String input) throws Exception {
        Result result = run(command, input);
        if (result.failure() != null) {
            throw new AssertionError(command + " failed: " + result.failure().getMessage(), result.failure());
        }
        return result.output();
    }

    @Test
    public void usersAreManagedFromTheShellAndCanLogIn() throws Exception {
        assertEquals("Domain shell.example added\n", ok("posthorn:domain-add shell.example"));
        assertEquals("Account ann@shell.example added\n", ok("posthorn:user-add ann@shell.example", "ann's password\n"));
        assertTrue(service(UserDirectory.class).authenticate("ann@shell.example", "ann's password".toCharArray()).isPresent());
        assertTrue(ok("posthorn:user-list").contains("ann@shell.example"));
        assertTrue(ok("posthorn:mailbox-list ann@shell.example").contains("\nINBOX "));
        assertTrue(ok("posthorn:user-add --help").startsWith("usage: posthorn:user-add ADDRESS [options]"));
    }

    @Test
    public void statusShowsListenersQueueStoreAndBundles() throws Exception {
        // the IMAP component registers as a MailboxListener once its listeners are bound
        RunningFramework.service(context, MailboxListener.class, "(component.name=org.posthorn.imap.ImapServer)");

        String status = ok("posthorn:status");
        assertTrue(status, Pattern.compile("(?m)^  imap +imap +127\\.0\\.0\\.1:\\d+ +starttls +0 +\\d+ +\\d+$")
                .matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^  imap +imaps +127\\.0\\.0\\.1:\\d+ +implicit ").matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^Queue:   \\d+ queued, \\d+ delivering, \\d+ deferred, \\d+ held$")
                .matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^Store:   \\d+ domains?, \\d+ accounts?, ").matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^  org\\.posthorn\\.shell +0\\.1\\.0\\S* +active$").matcher(status).find());

        String tls = ok("posthorn:tls-info");
        assertTrue(tls, tls.contains("(self-signed)"));
        assertTrue(tls, Pattern.compile("(?m)^Expires: +\\S+ \\S+ \\(in \\d+ days\\)$").matcher(tls).find());
        assertTrue(ok("posthorn:tls-info --reload").startsWith("TLS configuration applied again"));
    }

    @Test
    public void aProtocolBundleIsStoppedAndStartedByName() throws Exception {
        assertEquals("org.posthorn.pop3 stopped\n", ok("posthorn:bundle-stop org.posthorn.pop3"));
        try {
            assertEquals(Bundle.RESOLVED, bundle("org.posthorn.pop3").getState());
            assertTrue(ok("posthorn:status").contains("  org.posthorn.pop3 "));
            assertTrue(!ok("posthorn:status").contains(" pop3s "));
        } finally {
            assertEquals("org.posthorn.pop3 started\n", ok("posthorn:bundle-start org.posthorn.pop3"));
        }
        assertEquals(Bundle.ACTIVE, bundle("org.posthorn.pop3").getState());
        assertEquals("no bundle org.posthorn.nothing (lb -s lists them)",
                run("posthorn:bundle-stop org.posthorn.nothing", "").failure().getMessage());
    }

    @Test
    public void withTheStoreStoppedItsCommandsSaySoAndTheQueueIsSteeredFromTheShell() throws Exception {
        UserAdmin users = service(UserAdmin.class);
        if (!users.domains().contains("queue.example")) {
            users.addDomain("queue.example");
        }
        users.addUser("quinn@queue.example", null, 0, 0);
        Bundle store = bundle("org.posthorn.store.derby");
        store.stop();
        try {
            Result refused = run("posthorn:user-list", "");
            assertNotNull(refused.failure());
            assertTrue(refused.failure().getMessage(), refused.failure().getMessage()
                    .startsWith("The user directory is not available (is the bundle org.posthorn.store.derby started?"));
            assertTrue(ok("posthorn:status").contains("Store:   The user directory is not available"));

            // without the directory the queue keeps the message: it is listed, held and released
            String id = service(MailQueue.class).enqueue(envelope("quinn@queue.example"), new ByteArrayInputStream(
                    "Subject: waiting\r\n\r\nfor the store\r\n".getBytes(StandardCharsets.US_ASCII))).id();
            assertTrue(ok("posthorn:queue-list").contains(id));
            awaitState(id, EntryState.DEFERRED);
            assertEquals("Entry " + id + " is due now\n", ok("posthorn:queue-retry " + id));
            awaitState(id, EntryState.DEFERRED);
            assertEquals("Entry " + id + " held\n", ok("posthorn:queue-hold " + id + " --reason 'shell test'"));
            String show = ok("posthorn:queue-show " + id);
            assertTrue(show, show.contains("State:        held (shell test)"));
            assertTrue(show, show.contains("quinn@queue.example"));
            assertTrue(ok("posthorn:queue-list --state held").contains(id));
            assertEquals("Entry " + id + " released\n", ok("posthorn:queue-release " + id));
            // the message reaches the mailbox once the store is back
            CountDownLatch delivered = new CountDownLatch(1);
            ServiceRegistration<MailboxListener> listening = context.registerService(MailboxListener.class, event -> {
                if (event.account().equals("quinn@queue.example") && event.kind() == MailboxEvent.Kind.ADDED) {
                    delivered.countDown();
                }
            }, null);
            try {
                store.start();
                service(UserDirectory.class);
                // The queue makes recipients that waited for the directory due when it returns; an admin
                // nudges it anyway. Refused only while it is being delivered, which is as good.
                run("posthorn:queue-retry " + id, "");
                if (!delivered.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("not delivered after the store returned:\n" + run("posthorn:queue-show " + id, ""));
                }
            } finally {
                listening.unregister();
            }
        } finally {
            store.start();
        }
        assertTrue(Pattern.compile("(?m)^INBOX +1 +1 ").matcher(ok("posthorn:mailbox-list quinn@queue.example")).find());
        Result missing = run("posthorn:queue-show " + "no-such-entry", "");
        assertEquals("no queue entry no-such-entry", missing.failure().getMessage());
    }

    /** Waits until the queue's first attempt is over: hold and release refuse an entry being delivered. */
    private void awaitState(String id, EntryState state) throws Exception {
        QueueAdmin queue = service(QueueAdmin.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (queue.entry(id).orElseThrow().state() != state) {
            assertTrue(id + " did not become " + state, System.nanoTime() < deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static Envelope envelope(String recipient) {
        return new Envelope(MailAddress.parse("sender@example.net"), List.of(Recipient.of(MailAddress.parse(recipient))),
                null, null, BodyType.SEVEN_BIT, false, Origin.local("shell-itest", Instant.now()));
    }

    private <T> T service(Class<T> type) throws Exception {
        return RunningFramework.service(context, type, null);
    }

    private Bundle bundle(String symbolicName) {
        return RunningFramework.bundle(context, symbolicName);
    }
}
