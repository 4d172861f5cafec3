package org.posthorn.filters.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class MimeScannerTest {

    /** Counts the reads that reach the source (a spool file channel makes each one a system call). */
    private static final class CountingStream extends FilterInputStream {
        int reads;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            reads++;
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads++;
            return super.read(b, off, len);
        }
    }

    @Test
    void aLargeMessageIsReadFromItsSourceInBlocksNotByteByByte() throws IOException {
        String line = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n";
        String message = "Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + line.repeat(20_000) + "--b--\r\n";
        CountingStream source = new CountingStream(new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)));
        List<String> types = new ArrayList<>();
        List<String> text = new ArrayList<>();

        new MimeScanner(1024).scan(source, new MimeScanner.Handler() {
            @Override
            public void part(MimePart part) {
                types.add(part.contentType());
            }

            @Override
            public void text(MimePart part, String decoded) {
                text.add(decoded);
            }
        });

        assertThat(types).containsExactly("multipart/mixed", "text/plain", "application/octet-stream");
        assertThat(text).containsExactly("hello");
        assertThat(message.length()).isGreaterThan(1_700_000);
        assertThat(source.reads).as("reads of a %d-byte message", message.length()).isLessThan(100);
    }
}
