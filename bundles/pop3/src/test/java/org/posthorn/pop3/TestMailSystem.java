package org.posthorn.pop3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.osgi.framework.BundleContext;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.user.UserAdminException;
import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.security.password.Argon2PasswordHasher;
import org.posthorn.security.tls.ServerTlsMaterial;
import org.posthorn.store.DerbyMailboxStore;
import org.posthorn.store.StoreSettings;
import org.posthorn.store.user.DerbyUserDirectory;

/**
 * The real back end a POP3 server runs on, once per test run: the Derby mailbox store and user
 * directory on an embedded database in a temporary folder, Argon2 password hashing (cheap
 * parameters) and a self-signed certificate from the security bundle, plus a client TLS
 * context that trusts exactly that certificate. Each test makes its own users.
 *
 * <p>Test classes get it as a parameter by {@code @ExtendWith(TestMailSystem.Resolver.class)};
 * creating the database takes seconds, so all classes share one.
 */
public final class TestMailSystem implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    public static final String PASSWORD = "s3cret pass";
    private static final AtomicInteger USERS = new AtomicInteger();

    public final DerbyMailboxStore store;
    public final DerbyUserDirectory directory;
    public final ServerTlsMaterial tls;
    private final Path folder;
    private final DerbyDatabase db;

    private TestMailSystem(Path folder, int pageCache) throws Exception {
        this.folder = folder;
        db = new DerbyDatabase(folder.resolve("derby"), pageCache);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);
        store = new DerbyMailboxStore(StoreSettings.DEFAULTS, db, migrator);
        directory = new DerbyUserDirectory(StoreSettings.DEFAULTS, db, migrator, new Argon2PasswordHasher(
                ComponentConfig.of(Argon2PasswordHasher.Config.class,
                        Map.of("argon2.memory.kib", 64, "argon2.iterations", 1))));
        directory.addDomain("example.org");
        tls = new ServerTlsMaterial(ComponentConfig.of(ServerTlsMaterial.Config.class, Map.of("host.name", "localhost")),
                dataFolder(folder));
    }

    /**
     * A mail system in {@code folder} outside JUnit (the benchmark server), with {@code pageCache}
     * Derby pages (the shipped configuration has 4000; the tests use 200, so that a 32 MB heap suffices).
     */
    public static TestMailSystem open(Path folder, int pageCache) throws Exception {
        return new TestMailSystem(folder, pageCache);
    }

    /** A bundle context that only knows the data folder, which is all the TLS component asks it. */
    private static BundleContext dataFolder(Path folder) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty") && "posthorn.data".equals(args[0])) {
                        return folder.resolve("data").toString();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A new account {@code userN@example.org} with password {@link #PASSWORD}. */
    public String newUser() throws UserAdminException {
        String account = "user" + USERS.incrementAndGet() + "@example.org";
        directory.addUser(account, PASSWORD.toCharArray(), 0, 0);
        return account;
    }

    /** Delivers a message into the account's INBOX, as the queue does. */
    public AppendResult deliver(String account, MessageSource message) throws StoreException {
        Delivery.Outcome outcome = store.deliver(List.of(Delivery.inbox(account)), message, null).get(0);
        if (!outcome.delivered()) {
            throw outcome.failure();
        }
        return outcome.result();
    }

    public AppendResult deliver(String account, String message) throws StoreException {
        return deliver(account, MessageSource.ofBytes(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** A short message with CRLF line endings. */
    public static String message(String subject, String body) {
        return "From: sender@example.net\r\nTo: someone@example.org\r\nSubject: " + subject
                + "\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <" + subject.hashCode() + "@example.net>"
                + "\r\n\r\n" + body;
    }

    /** A TLS client context that trusts the server's certificate and nothing else. */
    public SSLContext clientTls() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("posthorn", certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server certificate as a PEM file, for clients outside the JVM. */
    public Path certificatePem() throws Exception {
        Path pem = folder.resolve("server.pem");
        if (!Files.exists(pem)) {
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                            certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
        }
        return pem;
    }

    private X509Certificate certificate() {
        return tls.certificateChain().get(0);
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void close() throws IOException {
        // the TLS component's reload thread is a daemon; its folder goes with the rest
        store.close();
        db.close();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Resolves {@link TestMailSystem} parameters with the one instance of the test run. */
    public static final class Resolver implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == TestMailSystem.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(TestMailSystem.class, key -> create(), TestMailSystem.class);
        }

        private static TestMailSystem create() {
            try {
                return new TestMailSystem(Files.createTempDirectory("posthorn-pop3-test"), 200);
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up the mail system for the tests", e);
            }
        }
    }
}
