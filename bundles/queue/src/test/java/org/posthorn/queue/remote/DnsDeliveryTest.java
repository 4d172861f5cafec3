package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.posthorn.queue.remote.TestMail.SIMPLE;
import static org.posthorn.queue.remote.TestMail.envelope;
import static org.posthorn.queue.remote.TestMail.rcpts;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.Recipient;
import org.posthorn.dns.DnsJavaResolver;
import org.posthorn.dns.testing.DnsTestServer;
import org.posthorn.queue.remote.RecipientOutcome.Status;
import org.posthorn.queue.testing.SmtpSink;

/** Remote delivery with the dnsjava resolver asking a DNS server on loopback. */
class DnsDeliveryTest extends SinkTestSupport {

    private DnsTestServer server;

    @BeforeEach
    void startDns() throws Exception {
        server = DnsTestServer.start();
        delivery = new SmtpRemoteDelivery(TestMail.config(sink.port()),
                new DnsJavaResolver(List.of(server.address()), Duration.ofMillis(300)), null);
    }

    @AfterEach
    void stopDns() throws Exception {
        server.close();
    }

    private RecipientOutcome send(String domain) {
        List<Recipient> to = rcpts("someone@" + domain);
        return delivery.deliver(domain, envelope(to), to, SIMPLE).get(0);
    }

    @Test
    void mailGoesToTheMxTheDnsNames() throws Exception {
        server.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");

        assertThat(send("example.test")).satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DELIVERED);
            assertThat(o.remoteHost()).isEqualTo("mx.example.test[127.0.0.1]");
        });
    }

    @Test
    void aDomainWithOnlyAnAddressRecordIsItsOwnMx() throws Exception {
        server.a("implicit.test", "127.0.0.1");

        assertThat(send("implicit.test").status()).isEqualTo(Status.DELIVERED);
    }

    @Test
    void nullMxBouncesWithoutAConnection() throws Exception {
        server.mx("nomail.test", 0, ".");

        assertThat(send("nomail.test")).extracting(RecipientOutcome::status, RecipientOutcome::enhancedCode)
                .containsExactly(Status.FAILED, "5.1.10");
        assertThat(sink.connections()).isZero();
    }

    @Test
    void nxdomainBounces() {
        assertThat(send("missing.test")).extracting(RecipientOutcome::status, RecipientOutcome::enhancedCode)
                .containsExactly(Status.FAILED, "5.1.2");
    }

    @Test
    void aDnsServerThatDoesNotAnswerDefers() throws Exception {
        server.silent("slow.test");

        assertThat(send("slow.test")).extracting(RecipientOutcome::status, RecipientOutcome::enhancedCode)
                .containsExactly(Status.DEFERRED, "4.4.3");
    }

    @Test
    void servfailDefers() throws Exception {
        server.servfail("broken.test");

        assertThat(send("broken.test")).extracting(RecipientOutcome::status, RecipientOutcome::enhancedCode)
                .containsExactly(Status.DEFERRED, "4.4.3");
    }
}
