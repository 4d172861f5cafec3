package org.posthorn.imap.session;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.awaitility.Awaitility;

import org.osgi.framework.BundleContext;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;
import org.posthorn.security.password.Argon2PasswordHasher;
import org.posthorn.security.tls.ServerTlsMaterial;
import org.posthorn.store.DerbyMailboxStore;
import org.posthorn.store.StoreSettings;
import org.posthorn.store.user.DerbyUserDirectory;

/**
 * An IMAP server on loopback ports chosen by the system, over the real mailbox store on an
 * embedded Derby in a temporary directory, with real TLS material (self-signed). The store
 * and the directory can be taken away to play a stopped bundle.
 */
public final class ImapFixture implements AutoCloseable {

    public static final String PASSWORD = "secret";
    private static final AtomicInteger USERS = new AtomicInteger();

    public final DerbyDatabase db;
    public final DerbyMailboxStore store;
    public final DerbyUserDirectory users;
    public final TlsMaterial tls;
    public final AtomicReference<MailboxStore> currentStore = new AtomicReference<>();
    public final AtomicReference<UserDirectory> currentUsers = new AtomicReference<>();
    public final ImapService service;
    /** Every event, once it has reached the server. */
    private final List<MailboxEvent> events = new CopyOnWriteArrayList<>();
    private final MailboxListener recorder = events::add;

    /** A server with plaintext login allowed, the defaults otherwise. */
    public ImapFixture(Path dir) throws Exception {
        this(dir, settings -> settings);
    }

    public ImapFixture(Path dir, UnaryOperator<ImapSettings> adjust) throws Exception {
        this(dir, StoreSettings.DEFAULTS, adjust);
    }

    public ImapFixture(Path dir, StoreSettings storeSettings, UnaryOperator<ImapSettings> adjust) throws Exception {
        db = new DerbyDatabase(dir.resolve("derby"), 1000);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);
        store = new DerbyMailboxStore(storeSettings, db, migrator);
        users = new DerbyUserDirectory(storeSettings, db, migrator, new Argon2PasswordHasher(
                config(Argon2PasswordHasher.Config.class, Map.of("argon2_memory_kib", 64, "argon2_iterations", 1))));
        users.addDomain("example.org");
        tls = new ServerTlsMaterial(config(ServerTlsMaterial.Config.class, Map.of("host_name", "localhost")),
                bundleContext(dir));
        currentStore.set(store);
        currentUsers.set(users);
        service = new ImapService(adjust.apply(defaults()), currentStore::get, currentUsers::get,
                () -> Optional.of(tls));
        store.addListener(service);
        // after the server: the store tells listeners one after another, in this order
        store.addListener(recorder);
    }

    /** Waits until the server has been told of every change of the mailbox's messages so far. */
    public void awaitEventsDelivered(String account, String mailbox) throws Exception {
        long id = store.mailbox(account, mailbox).id();
        long highest = store.status(account, mailbox).highestModSeq();
        awaitEvent(e -> e.mailboxId() == id && e.modSeq() >= highest);
    }

    /** What a test does while the store's events do not reach the server. */
    public interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} as if the store's events were late: the server is told of none of them. */
    public void withoutEvents(Action action) throws Exception {
        store.removeListener(service);
        store.removeListener(recorder);
        try {
            action.run();
        } finally {
            store.addListener(service);
            store.addListener(recorder);
        }
    }

    /** Waits until the server has been told of an event like this. */
    public void awaitEvent(Predicate<MailboxEvent> event) {
        Awaitility.await().until(() -> events.stream().anyMatch(event));
    }

    /** Plain IMAP with STARTTLS and implicit TLS on loopback, plaintext login allowed. */
    public static ImapSettings defaults() {
        ServerSettings server = ServerSettings.builder("imap")
                .listener(new ListenerSpec("imap", "127.0.0.1", 0, TlsMode.STARTTLS))
                .listener(new ListenerSpec("imaps", "127.0.0.1", 0, TlsMode.IMPLICIT))
                .idleTimeout(Duration.ofMinutes(30))
                .maxLineLength(8192)
                .build();
        return new ImapSettings(server, true, 65536, 10 * 1024 * 1024, 10, Duration.ofMinutes(1), Duration.ofMinutes(2));
    }

    public int port(String listener) {
        return service.listeners().stream().filter(l -> l.spec().name().equals(listener)).findFirst()
                .flatMap(l -> l.boundAddress()).map(InetSocketAddress::getPort).orElseThrow();
    }

    public int port() {
        return port("imap");
    }

    /** A new account {@code userN@example.org} with password {@link #PASSWORD}. */
    public String newUser() throws Exception {
        String name = "user" + USERS.incrementAndGet() + "@example.org";
        users.addUser(name, PASSWORD.toCharArray(), 0, 0);
        return name;
    }

    /** Delivers a message as the mail queue would. */
    public AppendResult deliver(String account, String mailbox, String message) throws Exception {
        return store.append(account, mailbox, MessageSource.ofBytes(message.getBytes(StandardCharsets.UTF_8)),
                java.util.Set.of(), null);
    }

    @Override
    public void close() {
        service.close();
        store.removeListener(service);
        store.close();
        db.close();
    }

    /** An OSGi configuration annotation with the given values and the declared defaults. */
    public static <A extends Annotation> A config(Class<A> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> method.getName().equals("annotationType") ? type
                        : values.getOrDefault(method.getName(), method.getDefaultValue())));
    }

    private static BundleContext bundleContext(Path dir) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> method.getName().equals("getProperty") && "posthorn.data".equals(args[0])
                        ? dir.toString() : null);
    }
}
