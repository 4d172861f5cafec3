package org.posthorn.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.Origin;

/** The parts of the protocol that need no socket: argument parsing, xtext, streams, the trace header. */
class ProtocolPartsTest {

    @Test
    void pathArgumentSeparatesAddressFromParametersAndDropsTheSourceRoute() throws Exception {
        PathArgument argument = PathArgument.parse("from: <@a.example,@b.example:\"john doe\"@example.org> SIZE=10 smtputf8",
                "FROM:");
        assertThat(argument.path()).isEqualTo("\"john doe\"@example.org");
        assertThat(argument.address().localPart()).isEqualTo("john doe");
        assertThat(argument.parameters()).containsEntry("SIZE", "10").containsEntry("SMTPUTF8", null);
        assertThat(PathArgument.parse("TO:<>", "TO:").isNull()).isTrue();
        assertThat(PathArgument.parse("TO:<\"a>b\"@example.org>", "TO:").path()).isEqualTo("\"a>b\"@example.org");
    }

    @Test
    void malformedPathArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> PathArgument.parse("TO:alice@example.org", "TO:")).hasMessageContaining("angle brackets");
        assertThatThrownBy(() -> PathArgument.parse("TO:<alice@example.org", "TO:")).hasMessageContaining("missing '>'");
        assertThatThrownBy(() -> PathArgument.parse("TO:<a@example.org>X=1", "TO:")).hasMessageContaining("space");
        assertThatThrownBy(() -> PathArgument.parse("TO:<a@example.org> X=1 X=2", "TO:")).hasMessageContaining("twice");
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@example.org>", "TO:")).hasMessageContaining("expected TO:");
    }

    @Test
    void xtextIsDecoded() throws Exception {
        assertThat(PathArgument.decodeXtext("a+2Bb+3Dc")).isEqualTo("a+b=c");
        assertThatThrownBy(() -> PathArgument.decodeXtext("a+2")).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PathArgument.decodeXtext("a+ZZ")).hasMessageContaining("malformed");
        assertThatThrownBy(() -> PathArgument.decodeXtext("a=b")).hasMessageContaining("not allowed");
    }

    @Test
    void bareLineEndingsBecomeCrLfEvenAcrossReads() throws Exception {
        String input = "a\rb\nc\r\nd\r";
        LineEndingNormalizer normalizer = new LineEndingNormalizer(new ByteArrayInputStream(input.getBytes(StandardCharsets.US_ASCII)));
        StringBuilder out = new StringBuilder();
        int b;
        while ((b = normalizer.read()) >= 0) {
            out.append((char) b);
        }
        assertThat(out).hasToString("a\r\nb\r\nc\r\nd\r\n");
    }

    @Test
    void messageStreamFailsPastTheLimitAndRemembersWhy() throws Exception {
        MessageStream stream = new MessageStream(new ByteArrayInputStream(new byte[100]), 64);
        assertThatThrownBy(stream::readAllBytes).isInstanceOf(MessageStream.TooLargeException.class);
        assertThat(stream.failure()).isInstanceOf(MessageStream.TooLargeException.class);
        assertThat(new MessageStream(new ByteArrayInputStream(new byte[64]), 64).readAllBytes()).hasSize(64);
    }

    @Test
    void receivedHeaderNamesTlsAndUserAndDefusesHostileNames() {
        Origin origin = new Origin("evil (x)\u00e9;", "192.0.2.1", null, "ESMTPSA", "alice@example.org",
                "TLSv1.3 TLS_AES_256_GCM_SHA384", "submission", Instant.parse("2026-11-03T08:05:09Z"));
        String header = new String(ReceivedHeader.of(origin, "mx.example.org", "smtp-1.1", ZoneOffset.UTC),
                StandardCharsets.UTF_8);
        assertThat(header).isEqualTo("Received: from evil??x??? (unknown [192.0.2.1])\r\n"
                + "\tby mx.example.org (Posthorn) with ESMTPSA id smtp-1.1\r\n"
                + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n"
                + "\t(authenticated as alice@example.org);\r\n"
                + "\tTue, 3 Nov 2026 08:05:09 +0000\r\n");
    }
}
