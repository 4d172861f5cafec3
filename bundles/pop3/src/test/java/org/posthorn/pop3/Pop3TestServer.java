package org.posthorn.pop3;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The POP3 component as Declarative Services would run it, on the test mail system: services
 * bound, activated with a configuration whose listeners are on the loopback address at free
 * ports, with no delay after a failed login (unless a test sets one).
 */
final class Pop3TestServer implements AutoCloseable {

    final Pop3Server component = new Pop3Server();
    private final TestMailSystem system;

    private Pop3TestServer(TestMailSystem system, Map<String, ?> config) {
        this.system = system;
        Map<String, Object> properties = new HashMap<>(Map.of("bind.address", "127.0.0.1", "pop3.port", 0,
                "pop3s.port", 0, "auth.failure.delay.millis", 0));
        properties.putAll(config);
        component.bindMailboxStore(system.store);
        component.bindUserDirectory(system.directory);
        component.bindTlsMaterial(system.tls);
        component.activate(ComponentConfig.of(Pop3Server.Config.class, properties), null);
    }

    static Pop3TestServer start(TestMailSystem system) {
        return new Pop3TestServer(system, Map.of());
    }

    /** With these configuration properties ({@code auth.plaintext.allowed}, ...) over the test defaults. */
    static Pop3TestServer start(TestMailSystem system, Map<String, ?> config) {
        return new Pop3TestServer(system, config);
    }

    /** The STLS listener (port 110 in production). */
    InetSocketAddress pop3() {
        return address("pop3");
    }

    /** The implicit-TLS listener (port 995 in production). */
    InetSocketAddress pop3s() {
        return address("pop3s");
    }

    private InetSocketAddress address(String listener) {
        return component.listeners().stream().filter(s -> s.spec().name().equals(listener)).findFirst()
                .orElseThrow().boundAddress().orElseThrow();
    }

    /** A plain connection on the STLS listener, upgraded with STLS: ready for USER. */
    Pop3Client connectSecure() throws Exception {
        Pop3Client client = Pop3Client.connect(pop3());
        client.expect("+OK POP3 server ready");
        client.expectOk("STLS");
        client.startTls(system.clientTls());
        return client;
    }

    /** {@link #connectSecure()} and logged in as {@code account}. */
    Pop3Client login(String account) throws Exception {
        Pop3Client client = connectSecure();
        client.login(account, TestMailSystem.PASSWORD);
        return client;
    }

    @Override
    public void close() {
        component.deactivate();
    }
}
