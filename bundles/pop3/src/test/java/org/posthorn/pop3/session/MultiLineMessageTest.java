package org.posthorn.pop3.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MultiLineMessageTest {

    private static String whole(String message) throws IOException {
        return read(MultiLineMessage.whole(stream(message)));
    }

    private static String top(String message, long lines) throws IOException {
        return read(MultiLineMessage.top(stream(message), lines));
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aCrLfMessageWithoutDotsPassesUnchanged() throws IOException {
        assertThat(whole("A: b\r\n\r\nbody\r\n")).isEqualTo("A: b\r\n\r\nbody\r\n");
    }

    @Test
    void linesStartingWithADotGetAnotherOne() throws IOException {
        assertThat(whole("S: x\r\n\r\n.\r\n.a\r\n..b\r\nc.d\r\n.")).isEqualTo("S: x\r\n\r\n..\r\n..a\r\n...b\r\nc.d\r\n..\r\n");
    }

    @Test
    void bareLineFeedsAndCarriageReturnsBecomeCrLf() throws IOException {
        assertThat(whole("a\nb\rc\r\r\nd\n\n.e")).isEqualTo("a\r\nb\r\nc\r\n\r\nd\r\n\r\n..e\r\n");
        assertThat(whole("ends with CR\r")).isEqualTo("ends with CR\r\n");
        assertThat(whole("")).isEmpty();
    }

    @Test
    void topSendsTheHeaderTheBlankLineAndTheFirstBodyLines() throws IOException {
        String message = "A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n";
        assertThat(top(message, 0)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
        assertThat(top(message, 2)).isEqualTo("A: 1\r\nB: 2\r\n\r\none\r\n..two\r\n");
        assertThat(top(message, 3)).isEqualTo(message.replace(".two", "..two"));
        assertThat(top(message, 10)).isEqualTo(message.replace(".two", "..two"));
        assertThat(top("A: 1\nB: 2\n\nbody\n", 0)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
        assertThat(top("Only: header\r\n", 5)).isEqualTo("Only: header\r\n");
    }

    @Test
    void topStopsReadingTheSourceWhenItHasEnough() throws IOException {
        CountingStream source = new CountingStream(("H: v\r\n\r\n" + "line\r\n".repeat(100_000)).getBytes(StandardCharsets.US_ASCII));
        assertThat(read(MultiLineMessage.top(source, 1))).isEqualTo("H: v\r\n\r\nline\r\n");
        assertThat(source.read).isLessThan(64 * 1024);
        assertThat(source.closed).isTrue();
    }

    @Test
    void aLargeMessageIsTransformedChunkByChunkAcrossBufferBoundaries() throws IOException {
        // CR at the end of one 16 KiB chunk and LF at the start of the next must still be one line ending
        StringBuilder message = new StringBuilder("H: v\r\n\r\n");
        StringBuilder expected = new StringBuilder("H: v\r\n\r\n");
        for (int i = 0; message.length() < 200_000; i++) {
            String line = (i % 3 == 0 ? "." : "") + "x".repeat(i % 97);
            message.append(line).append(i % 5 == 0 ? "\n" : "\r\n");
            expected.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        assertThat(whole(message.toString())).isEqualTo(expected.toString());
    }

    /** A source that counts what was read from it. */
    private static final class CountingStream extends ByteArrayInputStream {
        int read;
        boolean closed;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read += Math.max(0, n);
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
