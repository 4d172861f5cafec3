package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.api.user.UserDirectory;

/**
 * The queue bundle in the shipped Felix: MailQueue is there only while the queue can keep mail,
 * and the shipped store (with its directory) and the filters it uses may come and go: mail waits
 * for the store and is delivered when it returns.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class QueueIT {

    private static final long WAIT_SECONDS = 30;
    private static final String BOB = "bob@example.org";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return PosthornDistribution.create("queue").options();
    }

    @Test
    public void mailWaitsWhileTheStoreIsStoppedAndIsDeliveredWhenItReturns() throws Exception {
        addBob();
        Bundle storeBundle = bundle("org.posthorn.store.derby");
        List<String> filtered = new CopyOnWriteArrayList<>();
        MessageFilter filter = m -> {
            filtered.add(m.queueId());
            m.prependHeader("X-Filtered", "itest");
            return FilterVerdict.CONTINUE;
        };
        CountDownLatch twoDelivered = new CountDownLatch(2);
        MailboxListener listener = event -> {
            if (event.account().equals(BOB) && event.kind() == MailboxEvent.Kind.ADDED) {
                for (long i = 0; i < event.uids().size(); i++) {
                    twoDelivered.countDown();
                }
            }
        };
        ServiceRegistration<MailboxListener> listening = context.registerService(MailboxListener.class, listener, null);
        ServiceRegistration<MessageFilter> filterRegistration = null;
        storeBundle.stop();
        try {
            assertNull("no MailboxStore while its bundle is stopped", context.getServiceReference(MailboxStore.class));
            assertNull("no UserDirectory while its bundle is stopped", context.getServiceReference(UserDirectory.class));
            MailQueue queue = await(MailQueue.class);
            String first = queue.enqueue(envelope(BOB), new ByteArrayInputStream(message())).id();
            assertTrue("the spool file is in the data folder",
                    Files.exists(Path.of(context.getProperty("posthorn.data"), "spool", first)));
            filterRegistration = context.registerService(MessageFilter.class, filter, null);
            String second = queue.enqueue(envelope(BOB), new ByteArrayInputStream(message())).id();
            QueueAdmin admin = await(QueueAdmin.class);
            assertTrue("the first message waits for the store", admin.entry(first).isPresent());
            assertTrue("the second message waits for the store", admin.entry(second).isPresent());

            storeBundle.start();
            assertTrue("both messages delivered once the store returned", twoDelivered.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue("the second message went through the filter", filtered.contains(second));
        } finally {
            if (filterRegistration != null) {
                filterRegistration.unregister();
            }
            listening.unregister();
            if (storeBundle.getState() != Bundle.ACTIVE) {
                storeBundle.start();
            }
        }
        List<String> inbox = inbox(BOB);
        assertEquals(2, inbox.size());
        for (String text : inbox) {
            assertTrue(text, text.startsWith("Return-Path: <alice@example.org>\r\nDelivered-To: " + BOB + "\r\n"));
            assertTrue(text, text.endsWith("\r\n\r\nHello\r\n"));
        }
        assertTrue(inbox.stream().anyMatch(text -> text.contains("X-Filtered: itest\r\n")));
    }

    @Test
    public void withoutTheQueueOrTheDatabaseThereIsNoMailQueueAndQueuedMailSurvives() throws Exception {
        addBob();
        // while the store is stopped the entry cannot be delivered, so it must still be there after each restart
        Bundle storeBundle = bundle("org.posthorn.store.derby");
        storeBundle.stop();
        try {
            String id = await(MailQueue.class).enqueue(envelope(BOB), new ByteArrayInputStream(message())).id();

            Bundle queueBundle = bundle("org.posthorn.queue");
            queueBundle.stop();
            assertNull("no MailQueue while the queue is stopped", context.getServiceReference(MailQueue.class));
            queueBundle.start();
            Optional<QueueEntry> entry = await(QueueAdmin.class).entry(id);
            assertTrue("the entry survived the restart", entry.isPresent());

            Bundle db = bundle("org.posthorn.db");
            db.stop();
            assertNull("no MailQueue without the database", context.getServiceReference(MailQueue.class));
            db.start();
            assertNotNull(await(MailQueue.class));
            assertTrue(await(QueueAdmin.class).entry(id).isPresent());
        } finally {
            storeBundle.start();
        }
    }

    /** The local domain example.org with the account bob, in the shipped store (kept across tests). */
    private void addBob() throws Exception {
        UserAdmin users = await(UserAdmin.class);
        if (!users.domains().contains("example.org")) {
            users.addDomain("example.org");
            users.addUser(BOB, null, 0, 0);
        }
    }

    private List<String> inbox(String account) throws Exception {
        return Mailboxes.inbox(await(MailboxStore.class), account);
    }

    private static Envelope envelope(String recipient) {
        return new Envelope(MailAddress.parse("alice@example.org"), List.of(Recipient.of(MailAddress.parse(recipient))),
                null, null, BodyType.SEVEN_BIT, false,
                new Origin("client.test", "192.0.2.1", null, "ESMTP", null, null, "mx", Instant.now()));
    }

    private static byte[] message() {
        return "Subject: itest\r\nFrom: alice@example.org\r\n\r\nHello\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    private <T> T await(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertNotNull(type.getSimpleName() + " is registered", service);
            return service;
        } finally {
            tracker.close();
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
