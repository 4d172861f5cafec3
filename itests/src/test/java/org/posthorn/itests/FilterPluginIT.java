package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserAdmin;

/**
 * The plugin author's path (issue 10) and filter hot-deployment (issue 9): the example filter of
 * {@code examples/subject-filter}, built by the reactor, is dropped into {@code deploy/} of a running
 * Posthorn, configured from {@code conf/}; mail submitted over SMTP then carries its header, mail it
 * rejects comes back to the sender as a bounce, and once the jar is deleted the next message arrives
 * untouched.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FilterPluginIT {

    private static final long WAIT_SECONDS = 30;
    private static final String EXAMPLE_JAR = "posthorn.itest.example.filter";
    private static final String EXAMPLE_BUNDLE = "example-subject-filter";
    private static final String DOMAIN = "plugins.example";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String BOB = "bob@" + DOMAIN;
    private static final String PLUGIN_COMPONENT = "(component.name=com.example.subjectfilter.SubjectFilter)";

    @Inject
    private BundleContext context;

    private final BlockingQueue<String> inboxArrivals = new LinkedBlockingQueue<>();

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("filter-plugin");
        int submission = PosthornDistribution.freePort();
        Files.writeString(distribution.conf().resolve("org.posthorn.smtp.cfg"), String.join("\n",
                "host.name=mx.itest.example",
                "bind.address=127.0.0.1",
                "mx.enabled=false",
                "submissions.enabled=false",
                "submission.port=" + submission, ""));
        // the plugin's configuration is in place before the plugin, as an admin would prepare it
        Files.writeString(distribution.conf().resolve("com.example.subjectfilter.cfg"), String.join("\n",
                "header.name=X-Example-Filter",
                "header.value=seen by the plugin",
                "reject.subject=(?i)forbidden", ""));
        Path jar = Path.of(System.getProperty(EXAMPLE_JAR));
        assertTrue("the example plugin was built: " + jar, Files.isRegularFile(jar));
        return distribution.options(
                systemProperty("posthorn.itest.smtp.submission").value(Integer.toString(submission)),
                systemProperty(EXAMPLE_JAR).value(jar.toString()));
    }

    @Test
    public void aFilterDroppedIntoDeployActsOnTheNextMessageAndStopsWhenDeleted() throws Exception {
        addUsers();
        ServiceRegistration<MailboxListener> listening = context.registerService(MailboxListener.class, event -> {
            if (event.kind() == MailboxEvent.Kind.ADDED && event.mailbox().equals("INBOX")) {
                inboxArrivals.add(event.account());
            }
        }, null);
        CountDownLatch uninstalled = new CountDownLatch(1);
        BundleListener bundles = event -> {
            if (EXAMPLE_BUNDLE.equals(event.getBundle().getSymbolicName()) && event.getType() == BundleEvent.UNINSTALLED) {
                uninstalled.countDown();
            }
        };
        context.addBundleListener(bundles);
        try {
            Path deployed = Path.of(context.getProperty("posthorn.deploy")).resolve(EXAMPLE_BUNDLE + ".jar");
            Path staging = Files.createTempFile(deployed.getParent().getParent(), "plugin", ".tmp");
            Files.copy(Path.of(System.getProperty(EXAMPLE_JAR)), staging, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staging, deployed, StandardCopyOption.ATOMIC_MOVE);
            awaitFilterInTheQueue();

            assertTrue(submit(BOB, "hello").startsWith("250"));
            assertEquals(BOB, nextArrival());
            String passed = last(inbox(BOB));
            assertTrue(passed, passed.contains("\r\nX-Example-Filter: seen by the plugin\r\n"));
            assertTrue(passed, passed.endsWith("\r\n\r\nMessage hello\r\n"));

            assertTrue("accepted first: the queue filters after acceptance", submit(BOB, "Forbidden offer").startsWith("250"));
            assertEquals("the rejection comes back to the sender", ALICE, nextArrival());
            String bounce = last(inbox(ALICE));
            assertTrue(bounce, bounce.contains("Status: 5.7.1\r\n"));
            assertTrue(bounce, bounce.contains("Message refused: its subject is not accepted here"));
            assertEquals("bob did not get the rejected message", 1, inbox(BOB).size());

            Files.delete(deployed);
            assertTrue("the deleted plugin was uninstalled", uninstalled.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue("its filter is gone", context.getServiceReferences(MessageFilter.class, PLUGIN_COMPONENT).isEmpty());

            assertTrue(submit(BOB, "after the plugin").startsWith("250"));
            assertEquals(BOB, nextArrival());
            String untouched = last(inbox(BOB));
            assertTrue(untouched, untouched.endsWith("\r\n\r\nMessage after the plugin\r\n"));
            assertFalse(untouched, untouched.contains("X-Example-Filter"));
            assertTrue("the forbidden subject passes now", submit(BOB, "forbidden again").startsWith("250"));
            assertEquals(BOB, nextArrival());
        } finally {
            context.removeBundleListener(bundles);
            listening.unregister();
        }
    }

    /**
     * The filter service of the plugin, once the queue holds it: the queue binds filters as they
     * are registered, and getting the service (which also activates the component) marks the queue
     * as its user.
     */
    private void awaitFilterInTheQueue() throws Exception {
        ServiceTracker<MessageFilter, MessageFilter> tracker = new ServiceTracker<>(context, context.createFilter(
                "(&(objectClass=" + MessageFilter.class.getName() + ")" + PLUGIN_COMPONENT + ")"), null);
        tracker.open();
        try {
            assertNotNull("the plugin registered its filter", tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)));
            ServiceReference<MessageFilter> reference = tracker.getServiceReference();
            // the queue's bind may run just after this tracker heard of the service
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!usedByTheQueue(reference)) {
                assertTrue("the queue took the filter into its chain", System.nanoTime() < deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        } finally {
            tracker.close();
        }
    }

    private static boolean usedByTheQueue(ServiceReference<?> reference) {
        Bundle[] users = reference.getUsingBundles();
        return users != null && List.of(users).stream().anyMatch(b -> "org.posthorn.queue".equals(b.getSymbolicName()));
    }

    /** Alice submits one message to {@code recipient}; returns the reply to the final dot. */
    private static String submit(String recipient, String subject) throws Exception {
        return Submission.send(ALICE, "secret", recipient, "From: <" + ALICE + ">\r\nTo: <" + recipient + ">\r\nSubject: "
                + subject + "\r\n\r\nMessage " + subject + "\r\n");
    }

    private void addUsers() throws Exception {
        UserAdmin users = awaitService(UserAdmin.class);
        users.addDomain(DOMAIN);
        users.addUser(ALICE, "secret".toCharArray(), 0, 0);
        users.addUser(BOB, null, 0, 0);
    }

    private String nextArrival() throws InterruptedException {
        String account = inboxArrivals.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull("a message arrived in an INBOX", account);
        return account;
    }

    private List<String> inbox(String account) throws Exception {
        return Mailboxes.inbox(awaitService(MailboxStore.class), account);
    }

    private static String last(List<String> messages) {
        return messages.get(messages.size() - 1);
    }

    private <T> T awaitService(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertNotNull(type.getSimpleName() + " registered", service);
            return service;
        } finally {
            tracker.close();
        }
    }
}
