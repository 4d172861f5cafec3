package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.posthorn.queue.remote.TestMail.SIMPLE;
import static org.posthorn.queue.remote.TestMail.envelope;
import static org.posthorn.queue.remote.TestMail.rcpts;

import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.Recipient;
import org.posthorn.queue.remote.RecipientOutcome.Status;
import org.posthorn.queue.testing.SmtpSink;

class TlsDeliveryTest extends SinkTestSupport {

    private static TestCertificates mxCertificate;
    private static TestCertificates otherCertificate;

    @BeforeAll
    static void certificates() throws Exception {
        mxCertificate = TestCertificates.forNames("mx.example.test");
        otherCertificate = TestCertificates.forNames("other.test");
    }

    @BeforeEach
    void offerTls() throws Exception {
        sink.script.tls = mxCertificate.serverContext();
    }

    private List<RecipientOutcome> send(SSLContext clientTls, Object... overrides) {
        delivery(clientTls == null ? null : () -> clientTls, overrides);
        List<Recipient> to = rcpts("a@example.test");
        return delivery.deliver("example.test", envelope(to), to, SIMPLE);
    }

    @Test
    void startTlsIsUsedWheneverOfferedAndAnyCertificateWillDo() {
        assertThat(send(null)).singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);

        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
        assertThat(sink.commands()).containsSubsequence("EHLO posthorn.test", "STARTTLS", "EHLO posthorn.test");
    }

    @Test
    void opportunisticTlsSendsInClearToAServerWithoutStartTls() {
        sink.script.tls = null;

        assertThat(send(null)).singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.tls()).isFalse());
    }

    @Test
    void aFailedOpportunisticHandshakeIsRetriedInClear() {
        // TLS 1.0 is disabled in the JDK on both sides: the handshake cannot succeed.
        sink.script.tlsProtocols = new String[] {"TLSv1"};

        assertThat(send(null)).singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.tls()).isFalse());
        assertThat(sink.connections()).isEqualTo(2);
        assertThat(sink.commands()).containsOnlyOnce("STARTTLS");
    }

    @Test
    void requiredTlsDefersAtAServerWithoutStartTlsAndSendsNothing() {
        sink.script.tls = null;

        assertThat(send(null, "tls.policy", "REQUIRED")).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Status.DEFERRED);
            assertThat(o.enhancedCode()).isEqualTo("4.7.4");
        });
        assertThat(sink.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void requiredTlsWithoutVerificationAcceptsAnUntrustedCertificate() throws Exception {
        assertThat(send(otherCertificate.trustingContext(), "tls.policy", "REQUIRED"))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
    }

    @Test
    void verifiedTlsAcceptsATrustedCertificateNamingTheMx() throws Exception {
        assertThat(send(mxCertificate.trustingContext(), "tls.policy", "REQUIRED", "tls.verify", true))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
    }

    @Test
    void verifiedTlsRejectsAnUntrustedCertificate() throws Exception {
        assertThat(send(otherCertificate.trustingContext(), "tls.policy", "REQUIRED", "tls.verify", true))
                .singleElement().satisfies(o -> {
                    assertThat(o.status()).isEqualTo(Status.DEFERRED);
                    assertThat(o.enhancedCode()).isEqualTo("4.7.5");
                });
        assertThat(sink.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void verifiedTlsRejectsATrustedCertificateForAnotherName() throws Exception {
        sink.script.tls = otherCertificate.serverContext();

        assertThat(send(otherCertificate.trustingContext(), "tls.policy", "REQUIRED", "tls.verify", true))
                .singleElement().extracting(RecipientOutcome::enhancedCode).isEqualTo("4.7.5");
        assertThat(sink.received()).isEmpty();
    }

    @Test
    void aSmarthostGetsAllMailWithAuthPlainOverStartTls() throws Exception {
        sink.script.authUser = "relay-user";
        sink.script.authPassword = "s3cret pass";
        dns = new StaticResolver();

        assertThat(send(mxCertificate.trustingContext(), smarthost("STARTTLS", "s3cret pass")))
                .singleElement().satisfies(o -> {
                    assertThat(o.status()).isEqualTo(Status.DELIVERED);
                    assertThat(o.remoteHost()).isEqualTo("127.0.0.1[127.0.0.1]");
                });
        assertThat(sink.received()).singleElement().satisfies(r -> {
            assertThat(r.tls()).isTrue();
            assertThat(r.authUser()).isEqualTo("relay-user");
        });
        assertThat(dns.lookups()).isZero();
    }

    @Test
    void aSmarthostWithImplicitTlsAndOnlyAuthLogin() throws Exception {
        sink.script.implicitTls = true;
        sink.script.authUser = "relay-user";
        sink.script.authPassword = "pw";
        sink.script.authMechanisms = "LOGIN";

        assertThat(send(mxCertificate.trustingContext(), smarthost("IMPLICIT", "pw")))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DELIVERED);
        assertThat(sink.received()).singleElement().satisfies(r -> assertThat(r.authUser()).isEqualTo("relay-user"));
        assertThat(sink.commands()).doesNotContain("STARTTLS").contains("AUTH LOGIN");
    }

    @Test
    void wrongSmarthostCredentialsDeferRatherThanBounce() throws Exception {
        sink.script.authUser = "relay-user";
        sink.script.authPassword = "right";

        assertThat(send(mxCertificate.trustingContext(), smarthost("STARTTLS", "wrong")))
                .singleElement().satisfies(o -> {
                    assertThat(o.status()).isEqualTo(Status.DEFERRED);
                    assertThat(o.diagnostic()).contains("535").doesNotContain("wrong");
                });
        assertThat(sink.received()).isEmpty();
    }

    @Test
    void credentialsAreNeverSentWithoutTls() throws Exception {
        sink.script.tls = null;
        sink.script.authUser = "relay-user";
        sink.script.authPassword = "pw";

        assertThat(send(null, smarthost("OPPORTUNISTIC", "pw")))
                .singleElement().extracting(RecipientOutcome::status).isEqualTo(Status.DEFERRED);
        assertThat(sink.commands()).noneMatch(c -> c.startsWith("AUTH"));
    }

    private Object[] smarthost(String tls, String password) {
        return new Object[] {"smarthost.host", "127.0.0.1", "smarthost.port", sink.port(), "smarthost.tls", tls,
            "smarthost.username", "relay-user", "smarthost.password", password};
    }
}
