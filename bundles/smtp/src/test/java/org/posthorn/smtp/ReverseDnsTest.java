package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.smtp.SmtpPolicy;
import org.posthorn.dns.DnsJavaResolver;
import org.posthorn.dns.testing.DnsTestServer;

/** The client's name by forward-confirmed reverse DNS, from a DNS server on loopback. */
class ReverseDnsTest {

    @TempDir
    Path folder;
    private DnsTestServer dns;
    private TestServer server;
    private final List<String> namesPoliciesSaw = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dns = DnsTestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    private void startServer(Map<String, Object> config) {
        server = TestServer.start(folder, config);
        server.smtp.bindDnsResolver(new DnsJavaResolver(List.of(dns.address()), Duration.ofMillis(300)));
        server.register(new SmtpPolicy() {
            @Override
            public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                namesPoliciesSaw.add(String.valueOf(session.clientHost()));
                return PolicyVerdict.ACCEPT;
            }
        }, 0);
    }

    /** Sends one message and returns what was queued. */
    private TestQueue.Queued send() throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("helo.example");
            assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            assertThat(client.command("DATA")).startsWith("354 ");
            assertThat(client.command("Subject: hi\r\n\r\nhello\r\n.")).startsWith("250 2.0.0 Ok: queued as ");
        }
        return server.queue.only();
    }

    @Test
    void aConfirmedNameIsInTheReceivedHeaderTheOriginAndThePolicyFacts() throws Exception {
        dns.ptr("127.0.0.1", "client.test").a("client.test", "127.0.0.1");
        startServer(Map.of());
        TestQueue.Queued queued = send();
        assertThat(queued.text()).startsWith("Received: from helo.example (client.test [127.0.0.1])\r\n");
        assertThat(queued.envelope().origin().clientHost()).isEqualTo("client.test");
        assertThat(namesPoliciesSaw).containsExactly("client.test");
    }

    @Test
    void aNameWhoseAddressesDoNotIncludeTheClientIsUnknown() throws Exception {
        dns.ptr("127.0.0.1", "forged.test").a("forged.test", "192.0.2.9");
        startServer(Map.of());
        TestQueue.Queued queued = send();
        assertThat(queued.text()).startsWith("Received: from helo.example (unknown [127.0.0.1])\r\n");
        assertThat(queued.envelope().origin().clientHost()).isNull();
        assertThat(namesPoliciesSaw).containsExactly("null");
    }

    @Test
    void aDnsThatDoesNotAnswerLeavesTheNameUnknownAndMailFlows() throws Exception {
        dns.silent("1.0.0.127.in-addr.arpa");
        startServer(Map.of("reverse_dns_timeout_millis", 50));
        TestQueue.Queued queued = send();
        assertThat(queued.text()).startsWith("Received: from helo.example (unknown [127.0.0.1])\r\n");
        // the look-up was asked, and is simply not waited for
        await().until(() -> dns.queries() > 0);
    }

    @Test
    void switchedOffNothingIsAsked() throws Exception {
        dns.ptr("127.0.0.1", "client.test").a("client.test", "127.0.0.1");
        startServer(Map.of("reverse_dns_enabled", false));
        TestQueue.Queued queued = send();
        assertThat(queued.text()).startsWith("Received: from helo.example (unknown [127.0.0.1])\r\n");
        assertThat(dns.queries()).isZero();
    }

    @Test
    void connectionsFromOneAddressShareOneLookUp() throws Exception {
        dns.ptr("127.0.0.1", "client.test").a("client.test", "127.0.0.1");
        startServer(Map.of());
        for (int i = 0; i < 3; i++) {
            try (SmtpClient client = SmtpClient.connect(server.mx())) {
                client.ehlo("helo.example");
                assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("250 2.1.0 Ok");
                assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            }
        }
        assertThat(namesPoliciesSaw).containsExactly("client.test", "client.test", "client.test");
        assertThat(dns.queries()).as("one PTR, one A and one AAAA question for all three").isEqualTo(3);
    }
}
