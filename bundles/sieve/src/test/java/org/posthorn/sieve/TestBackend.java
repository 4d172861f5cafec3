package org.posthorn.sieve;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.osgi.framework.BundleContext;
import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.security.password.Argon2PasswordHasher;
import org.posthorn.security.tls.ServerTlsMaterial;
import org.posthorn.sieve.store.ScriptStore;
import org.posthorn.store.StoreSettings;
import org.posthorn.store.user.DerbyUserDirectory;

/**
 * What the Sieve bundle runs on, for tests: an embedded Derby in a temporary folder with the
 * bundle's schema migrated as the component does it, the real user directory (domain
 * {@code example.org}, Argon2 passwords) and self-signed TLS material.
 */
public final class TestBackend implements AutoCloseable {

    public static final String PASSWORD = "s3cret pass";
    private static final AtomicInteger USERS = new AtomicInteger();

    public final DerbyDatabase database;
    public final DerbyUserDirectory directory;
    public final ScriptStore scripts;
    private final Path folder;
    private ServerTlsMaterial tls;

    public TestBackend() throws Exception {
        folder = Files.createTempDirectory("posthorn-sieve-test");
        database = new DerbyDatabase(folder.resolve("derby"), 200);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(database);
        migrator.migrate(ScriptStore.SCHEMA_OWNER, getClass().getClassLoader(), ScriptStore.SCHEMA_FOLDER);
        directory = new DerbyUserDirectory(StoreSettings.DEFAULTS, database, migrator,
                new Argon2PasswordHasher(config(Argon2PasswordHasher.Config.class,
                        Map.of("argon2.memory.kib", 64, "argon2.iterations", 1))));
        directory.addDomain("example.org");
        scripts = new ScriptStore(database);
    }

    /** A new account {@code sieveN@example.org} with {@link #PASSWORD}. */
    public String newUser() throws Exception {
        String account = "sieve" + USERS.incrementAndGet() + "@example.org";
        directory.addUser(account, PASSWORD.toCharArray(), 0, 0);
        return account;
    }

    /** Self-signed TLS material for {@code localhost}, made on first use. */
    public synchronized ServerTlsMaterial tls() {
        if (tls == null) {
            BundleContext context = (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                    new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                        if (method.getName().equals("getProperty") && "posthorn.data".equals(args[0])) {
                            return folder.resolve("data").toString();
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
            tls = new ServerTlsMaterial(config(ServerTlsMaterial.Config.class, Map.of("host.name", "localhost")),
                    context);
        }
        return tls;
    }

    /** A configuration annotation as Declarative Services makes it: dotted keys, else the defaults. */
    public static <A extends Annotation> A config(Class<A> type, Map<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + properties;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> properties.containsKey(method.getName().replace('_', '.'))
                            ? properties.get(method.getName().replace('_', '.')) : method.getDefaultValue();
                }));
    }

    @Override
    public void close() throws IOException {
        database.close();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
