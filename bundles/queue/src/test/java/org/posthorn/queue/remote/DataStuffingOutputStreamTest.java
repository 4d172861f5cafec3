package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class DataStuffingOutputStreamTest {

    private static String stuff(String... writes) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        DataStuffingOutputStream data = new DataStuffingOutputStream(wire);
        for (String w : writes) {
            data.write(w.getBytes(StandardCharsets.ISO_8859_1));
        }
        data.finish();
        return wire.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aLineStartingWithADotGetsAnother() throws IOException {
        assertThat(stuff(".a\r\nb.\r\n..\r\n.\r\n")).isEqualTo("..a\r\nb.\r\n...\r\n..\r\n.\r\n");
    }

    @Test
    void bareLineEndingsBecomeCrlf() throws IOException {
        assertThat(stuff("a\nb\rc\r\n\n")).isEqualTo("a\r\nb\r\nc\r\n\r\n.\r\n");
    }

    @Test
    void crlfSplitAcrossWritesStaysOneLineEnding() throws IOException {
        assertThat(stuff("a\r", "\n.b\r", "", "\nc")).isEqualTo("a\r\n..b\r\nc\r\n.\r\n");
    }

    @Test
    void anOpenLastLineIsEnded() throws IOException {
        assertThat(stuff("last")).isEqualTo("last\r\n.\r\n");
        assertThat(stuff("cr at end\r")).isEqualTo("cr at end\r\n.\r\n");
    }

    @Test
    void anEmptyMessageIsJustTheTerminator() throws IOException {
        assertThat(stuff()).isEqualTo(".\r\n");
    }

    @Test
    void eightBitBytesPassUnchanged() throws IOException {
        assertThat(stuff("\u00e4\u00ff\r\n")).isEqualTo("\u00e4\u00ff\r\n.\r\n");
    }
}
