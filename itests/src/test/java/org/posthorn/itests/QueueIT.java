package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
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
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserDirectory;

/**
 * The queue bundle in the shipped Felix: MailQueue is there only while the queue can keep mail,
 * and the store, directory and filters it uses may come and go.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class QueueIT {

    private static final long WAIT_SECONDS = 30;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return PosthornDistribution.create("queue").options();
    }

    @Test
    public void mailWaitsForTheStoreAndDirectoryAndIsDeliveredWhenTheyAppear() throws Exception {
        MailQueue queue = await(MailQueue.class);
        String id = queue.enqueue(envelope("bob@example.org"), new ByteArrayInputStream(message())).id();
        assertTrue("the spool file is in the data folder",
                Files.exists(Path.of(context.getProperty("posthorn.data"), "spool", id)));
        QueueAdmin admin = await(QueueAdmin.class);
        assertTrue(admin.entry(id).isPresent());

        List<String> filtered = new CopyOnWriteArrayList<>();
        MessageFilter filter = m -> {
            filtered.add(m.queueId());
            m.prependHeader("X-Filtered", "itest");
            return FilterVerdict.CONTINUE;
        };
        List<String> delivered = new CopyOnWriteArrayList<>();
        CountDownLatch twoDelivered = new CountDownLatch(2);
        ServiceRegistration<MessageFilter> filterRegistration = context.registerService(MessageFilter.class, filter, null);
        ServiceRegistration<MailboxStore> store = context.registerService(MailboxStore.class,
                store(delivered, twoDelivered), null);
        ServiceRegistration<UserDirectory> users = context.registerService(UserDirectory.class, directory(), null);
        try {
            String second = queue.enqueue(envelope("bob@example.org"), new ByteArrayInputStream(message())).id();
            assertTrue("both messages delivered once the services appeared",
                    twoDelivered.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(2, delivered.size());
            assertTrue(delivered.get(0).startsWith("Return-Path: <alice@example.org>\r\nDelivered-To: bob@example.org\r\n"));
            assertTrue("the second message went through the filter", filtered.contains(second));
            assertTrue(delivered.stream().anyMatch(d -> d.contains("X-Filtered: itest")));
        } finally {
            users.unregister();
            store.unregister();
            filterRegistration.unregister();
        }
    }

    @Test
    public void withoutTheQueueOrTheDatabaseThereIsNoMailQueueAndQueuedMailSurvives() throws Exception {
        String id = await(MailQueue.class).enqueue(envelope("carol@example.net"), new ByteArrayInputStream(message())).id();

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
    }

    private static Envelope envelope(String recipient) {
        return new Envelope(MailAddress.parse("alice@example.org"), List.of(Recipient.of(MailAddress.parse(recipient))),
                null, null, BodyType.SEVEN_BIT, false,
                new Origin("client.test", "192.0.2.1", null, "ESMTP", null, null, "mx", Instant.now()));
    }

    private static byte[] message() {
        return "Subject: itest\r\nFrom: alice@example.org\r\n\r\nHello\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** A store that only knows append; anything else the queue must not call. */
    private static MailboxStore store(List<String> delivered, CountDownLatch latch) {
        return (MailboxStore) Proxy.newProxyInstance(QueueIT.class.getClassLoader(), new Class<?>[] {MailboxStore.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("append")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    try (InputStream in = ((MessageSource) args[2]).openStream()) {
                        delivered.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                    latch.countDown();
                    return new AppendResult(1, delivered.size(), 1);
                });
    }

    /** example.org is local and has bob. */
    private static UserDirectory directory() {
        return (UserDirectory) Proxy.newProxyInstance(QueueIT.class.getClassLoader(), new Class<?>[] {UserDirectory.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isLocalDomain" -> "example.org".equals(args[0]);
                    case "resolve" -> args[0].toString().equals("bob@example.org")
                            ? new Resolution(List.of("bob@example.org"), List.of()) : Resolution.UNKNOWN;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test directory";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
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
