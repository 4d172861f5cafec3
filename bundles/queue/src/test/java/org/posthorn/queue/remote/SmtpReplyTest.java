package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {

    private static SmtpReply read(String wire) throws IOException {
        return SmtpReply.read(stream(wire));
    }

    private static InputStream stream(String wire) {
        return new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMultiLineReplyIsReadToItsLastLine() throws IOException {
        InputStream in = stream("250-mx.example.test hello\r\n250-PIPELINING\r\n250 SIZE 1000\r\n220 next\r\n");

        SmtpReply reply = SmtpReply.read(in);

        assertThat(reply.code()).isEqualTo(250);
        assertThat(reply.lines()).containsExactly("mx.example.test hello", "PIPELINING", "SIZE 1000");
        assertThat(SmtpReply.read(in).code()).isEqualTo(220);
    }

    @Test
    void theEnhancedStatusCodeIsTakenFromTheText() throws IOException {
        SmtpReply reply = read("550-5.1.1 no such user\r\n550 5.1.1 really\r\n");

        assertThat(reply.enhancedCode()).isEqualTo("5.1.1");
        assertThat(reply.text()).isEqualTo("no such user really");
    }

    @Test
    void anEnhancedCodeOfAnotherClassIsNotBelieved() throws IOException {
        assertThat(read("451 5.1.1 confused\r\n").enhancedCode()).isEqualTo("4.0.0");
    }

    @Test
    void withoutAnEnhancedCodeOneIsDerived() throws IOException {
        assertThat(read("550 no\r\n").enhancedCode()).isEqualTo("5.0.0");
        assertThat(read("452 full\r\n").enhancedCode()).isEqualTo("4.3.1");
        assertThat(read("552 too big\r\n").enhancedCode()).isEqualTo("5.3.4");
        assertThat(read("250\r\n").enhancedCode()).isEqualTo("2.0.0");
    }

    @Test
    void aBareLfEndsALineToo() throws IOException {
        assertThat(read("220 hi\n").text()).isEqualTo("hi");
    }

    @Test
    void somethingThatIsNotAReplyIsAProtocolError() {
        assertThatThrownBy(() -> read("hello\r\n")).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> read("250-a\r\n251 b\r\n")).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> read("999 what\r\n")).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> read("250 " + "x".repeat(5000) + "\r\n")).isInstanceOf(SmtpProtocolException.class);
    }

    @Test
    void aConnectionClosedMidReplyIsAnEof() {
        assertThatThrownBy(() -> read("250-a\r\n250 b")).isInstanceOf(EOFException.class);
    }

    @Test
    void ehloKeywordsAreCaseInsensitiveAndSizeIsParsed() throws IOException {
        ServerCapabilities caps = ServerCapabilities.fromEhlo(read("250-hi\r\n250-pipelining\r\n250-SIZE 35882577\r\n"
                + "250-AUTH PLAIN login\r\n250 8BITMIME\r\n"));

        assertThat(caps.has("PIPELINING")).isTrue();
        assertThat(caps.sizeLimit()).isEqualTo(35_882_577L);
        assertThat(caps.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN");
        assertThat(ServerCapabilities.fromEhlo(read("250-hi\r\n250 SIZE\r\n")).sizeLimit()).isZero();
    }
}
