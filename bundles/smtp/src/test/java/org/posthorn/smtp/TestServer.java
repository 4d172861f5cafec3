package org.posthorn.smtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.posthorn.api.smtp.SmtpPolicy;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.security.tls.ServerTlsMaterial;

/**
 * An SMTP server as Declarative Services would run it, on the loopback address and free ports,
 * with a test queue, the test users and the real TLS material (a self-signed certificate made by
 * the security bundle). Settings not given here are the component's defaults, except that a
 * failed AUTH waits only a moment.
 */
final class TestServer implements AutoCloseable {

    private static TlsMaterial tls;

    final TestQueue queue;
    final TestUsers users = new TestUsers();
    final SmtpServer smtp = new SmtpServer();
    private final AtomicLong serviceIds = new AtomicLong();

    private TestServer(Path spool, Map<String, Object> overrides) {
        queue = new TestQueue(spool);
        Map<String, Object> values = new HashMap<>(Map.of(
                "host_name", "mx.example.org", "bind_address", "127.0.0.1",
                "mx_port", 0, "submission_port", 0, "submissions_port", 0,
                "auth_failure_delay_millis", 10));
        values.putAll(overrides);
        smtp.bindMailQueue(queue);
        smtp.bindUserDirectory(users);
        smtp.bindTlsMaterial(tlsMaterial());
        smtp.activate(annotation(SmtpServer.Config.class, values), null);
    }

    /** A server in {@code folder} (its spool) with these configuration values (by method name). */
    static TestServer start(Path folder, Map<String, Object> config) {
        try {
            return new TestServer(Files.createDirectories(folder.resolve("spool")), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestServer start(Path folder) {
        return start(folder, Map.of());
    }

    /**
     * Registers a policy as the framework would, with {@code ranking} as given (an Integer from
     * code, a String from a .cfg file); returns its service properties, for {@code unbindSmtpPolicy}.
     */
    Map<String, Object> register(SmtpPolicy policy, Object ranking) {
        Map<String, Object> properties = Map.of(Constants.SERVICE_ID, serviceIds.incrementAndGet(),
                Constants.SERVICE_RANKING, ranking);
        smtp.bindSmtpPolicy(policy, properties);
        return properties;
    }

    InetSocketAddress mx() {
        return address("mx");
    }

    InetSocketAddress submission() {
        return address("submission");
    }

    InetSocketAddress submissions() {
        return address("submissions");
    }

    private InetSocketAddress address(String listener) {
        return smtp.listeners().stream().filter(s -> s.spec().name().equals(listener)).findFirst()
                .orElseThrow().boundAddress().orElseThrow();
    }

    void reconfigure(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(Map.of(
                "host_name", "mx.example.org", "bind_address", "127.0.0.1",
                "auth_failure_delay_millis", 10));
        // keep the ports already bound
        values.put("mx_port", mx().getPort());
        values.put("submission_port", submission().getPort());
        values.put("submissions_port", submissions().getPort());
        values.putAll(overrides);
        smtp.modified(annotation(SmtpServer.Config.class, values));
    }

    @Override
    public void close() {
        smtp.deactivate();
    }

    /** The security bundle's TLS material, made once per test run in a temporary data folder. */
    static synchronized TlsMaterial tlsMaterial() {
        if (tls == null) {
            try {
                Path data = Files.createTempDirectory("posthorn-smtp-tls");
                BundleContext context = (BundleContext) Proxy.newProxyInstance(TestServer.class.getClassLoader(),
                        new Class<?>[] {BundleContext.class},
                        (self, method, args) -> method.getName().equals("getProperty") && "posthorn.data".equals(args[0])
                                ? data.toString() : null);
                tls = new ServerTlsMaterial(annotation(ServerTlsMaterial.Config.class, Map.of("host_name", "localhost")),
                        context);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tls;
    }

    /** A component property type as DS makes it: the given values, else the declared defaults. */
    static <A extends Annotation> A annotation(Class<A> type, Map<String, ?> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            if (method.getDeclaringClass() != type) {
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    case "annotationType" -> type;
                    default -> type.getSimpleName() + values;
                };
            }
            return values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
        }));
    }
}
