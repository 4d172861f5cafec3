package org.posthorn.pop3.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class MultiLineMessageTest {

    private static final int CHUNK = MultiLineMessage.CHUNK;

    private final MultiLineMessage writer = new MultiLineMessage();

    private String whole(String message) throws IOException {
        return whole(stream(message));
    }

    private String whole(InputStream source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.whole(source, out::write);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private String top(String message, long lines) throws IOException {
        return top(stream(message), lines);
    }

    private String top(InputStream source, long lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.top(source, lines, out::write);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aCrLfMessageWithoutDotsPassesUnchanged() throws IOException {
        assertThat(whole("A: b\r\n\r\nbody\r\n")).isEqualTo("A: b\r\n\r\nbody\r\n");
    }

    @Test
    void linesStartingWithADotGetAnotherOne() throws IOException {
        assertThat(whole("S: x\r\n\r\n.\r\n.a\r\n..b\r\nc.d\r\n.")).isEqualTo("S: x\r\n\r\n..\r\n..a\r\n...b\r\nc.d\r\n..\r\n");
        assertThat(whole(".starts the message")).isEqualTo("..starts the message\r\n");
        assertThat(whole("S: x\r\n\r\n.\r\n")).as("a lone dot line").isEqualTo("S: x\r\n\r\n..\r\n");
        assertThat(whole(".")).isEqualTo("..\r\n");
        assertThat(whole("a\r\n.\r\n.\r\n")).isEqualTo("a\r\n..\r\n..\r\n");
    }

    @Test
    void aMessageNotEndingInCrLfGetsItsLastLineEnded() throws IOException {
        assertThat(whole("A: b\r\n\r\nno line end")).isEqualTo("A: b\r\n\r\nno line end\r\n");
        assertThat(whole("A: b\r\n\r\nends with CR\r")).isEqualTo("A: b\r\n\r\nends with CR\r\n");
        assertThat(whole("A: b\r\n\r\nends with LF\n")).isEqualTo("A: b\r\n\r\nends with LF\r\n");
    }

    @Test
    void anEmptyMessageIsEmpty() throws IOException {
        assertThat(whole("")).isEmpty();
        assertThat(top("", 3)).isEmpty();
    }

    @Test
    void bareLineFeedsAndCarriageReturnsBecomeCrLf() throws IOException {
        assertThat(whole("a\nb\rc\r\r\nd\n\n.e")).isEqualTo("a\r\nb\r\nc\r\n\r\nd\r\n\r\n..e\r\n");
        assertThat(whole("\r.x\n.y\r\r")).isEqualTo("\r\n..x\r\n..y\r\n\r\n");
        assertThat(whole("\n\n")).isEqualTo("\r\n\r\n");
    }

    @Test
    void veryLongLinesPassUnchanged() throws IOException {
        String line = "y".repeat(5 * CHUNK + 7);
        assertThat(whole("H: v\r\n\r\n" + line + "\r\n." + line))
                .isEqualTo("H: v\r\n\r\n" + line + "\r\n.." + line + "\r\n");
    }

    @Test
    void aDotAtTheStartOfTheNextChunkIsStuffed() throws IOException {
        // the line ends exactly at the end of one chunk; the next chunk starts with its dot
        String header = "H: v\r\n\r\n";
        for (String ending : new String[] {"\r\n", "\n", "\r"}) {
            String line = "z".repeat(CHUNK - header.length() - ending.length());
            assertThat(whole(header + line + ending + ".after\r\n"))
                    .as("line ending %s", ending.replace("\r", "CR").replace("\n", "LF"))
                    .isEqualTo(header + line + "\r\n..after\r\n");
        }
        // CR at the end of one chunk and LF at the start of the next are one line ending
        String split = header + "z".repeat(CHUNK - header.length() - 1) + "\r";
        assertThat(whole(split + "\n.x\r\n")).isEqualTo(split + "\n..x\r\n");
        assertThat(whole(split + ".x\r\n")).isEqualTo(split + "\n..x\r\n");
    }

    @Test
    void topSendsTheHeaderTheBlankLineAndTheFirstBodyLines() throws IOException {
        String message = "A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n";
        assertThat(top(message, 0)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
        assertThat(top(message, 2)).isEqualTo("A: 1\r\nB: 2\r\n\r\none\r\n..two\r\n");
        assertThat(top(message, 3)).isEqualTo(message.replace(".two", "..two"));
        assertThat(top(message, 10)).isEqualTo(message.replace(".two", "..two"));
        assertThat(top("A: 1\nB: 2\n\nbody\n", 0)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
        assertThat(top("A: 1\rB: 2\r\rbody\rmore\r", 1)).isEqualTo("A: 1\r\nB: 2\r\n\r\nbody\r\n");
        assertThat(top("Only: header\r\n", 5)).isEqualTo("Only: header\r\n");
    }

    @Test
    void topStopsReadingTheSourceWhenItHasEnough() throws IOException {
        CountingStream source = new CountingStream(("H: v\r\n\r\n" + "line\r\n".repeat(100_000)).getBytes(StandardCharsets.US_ASCII));
        assertThat(top(source, 1)).isEqualTo("H: v\r\n\r\nline\r\n");
        assertThat(source.read).isLessThan(64 * 1024);
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

    @Test
    void oneWriterServesMessageAfterMessage() throws IOException {
        assertThat(top("A: 1\r\n\r\nbody\r\n", 0)).isEqualTo("A: 1\r\n\r\n");
        assertThat(whole("no end\r")).isEqualTo("no end\r\n");
        assertThat(whole(".first line\r\n")).isEqualTo("..first line\r\n");
    }

    /**
     * Random messages made of the awkward bytes (CR, LF, dots, runs of text) read in random
     * slices against the specification applied one byte at a time ({@link #reference}).
     */
    @Test
    void randomMessagesInRandomSlicesMatchTheByteByByteDefinition() throws IOException {
        Random random = new Random(1939);
        String[] pieces = {"\r\n", "\r", "\n", ".", "..", "a", "text ", "\r\n.\r\n", "x".repeat(300)};
        for (int round = 0; round < 500; round++) {
            StringBuilder message = new StringBuilder();
            int length = round < 450 ? random.nextInt(200) : 3 * CHUNK;
            while (message.length() < length) {
                message.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = message.toString().getBytes(StandardCharsets.ISO_8859_1);
            long lines = round % 3 == 0 ? random.nextInt(6) : -1;
            String expected = reference(bytes, lines);
            InputStream slices = new SlicedStream(bytes, random);
            assertThat(lines < 0 ? whole(slices) : top(slices, lines)).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void aFailingSourceIsReportedAsUnreadable() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
        assertThatThrownBy(() -> whole(broken)).isInstanceOf(MultiLineMessage.UnreadableSourceException.class)
                .hasMessageContaining("disk on fire");
    }

    /** RFC 1939 §3 one byte at a time: what the writer must produce, however it is built. */
    private static String reference(byte[] message, long bodyLines) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        boolean inBody = false;
        long left = bodyLines;
        int i = 0;
        while (i < message.length) {
            char c = (char) (message[i] & 0xff);
            if (c != '\r' && c != '\n') {
                line.append(c);
                i++;
                continue;
            }
            i += c == '\r' && i + 1 < message.length && message[i + 1] == '\n' ? 2 : 1;
            out.append(line.toString().startsWith(".") ? "." : "").append(line).append("\r\n");
            if (!inBody) {
                inBody = line.length() == 0;
                if (inBody && left == 0) {
                    return out.toString();
                }
            } else if (left > 0 && --left == 0) {
                return out.toString();
            }
            line.setLength(0);
        }
        if (line.length() > 0) {
            out.append(line.toString().startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        return out.toString();
    }

    /** A source that returns what it has in slices of random size, as a database stream may. */
    private static final class SlicedStream extends ByteArrayInputStream {
        private final Random random;

        SlicedStream(byte[] bytes, Random random) {
            super(bytes);
            this.random = random;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(random.nextBoolean() ? 8 : 3 * CHUNK)));
        }
    }

    /** A source that counts what was read from it. */
    private static final class CountingStream extends ByteArrayInputStream {
        int read;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read += Math.max(0, n);
            return n;
        }
    }
}
