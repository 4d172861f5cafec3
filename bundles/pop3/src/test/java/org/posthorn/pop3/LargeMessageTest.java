package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.posthorn.api.mail.MessageSource;

/**
 * A 50 MB message goes from the store to the client as a stream. The build runs this class in
 * its own JVM with a heap smaller than the message (see the pom), so it also shows that neither
 * delivery nor RETR holds the message in memory.
 */
@ExtendWith(TestMailSystem.Resolver.class)
class LargeMessageTest {

    private static final long SIZE = 50L * 1024 * 1024;

    private final TestMailSystem system;

    LargeMessageTest(TestMailSystem system) {
        this.system = system;
    }

    @Test
    void aFiftyMegabyteMessageIsStreamedByteStuffedAndComplete() throws Exception {
        String account = system.newUser();
        GeneratedMessage message = new GeneratedMessage(SIZE);
        system.deliver(account, message);
        byte[] expected = sha256(message.openStream());

        try (Pop3TestServer server = Pop3TestServer.start(system); Pop3Client client = server.login(account)) {
            assertThat(client.command("LIST 1")).isEqualTo("+OK 1 " + SIZE);

            assertThat(client.command("RETR 1")).isEqualTo("+OK " + SIZE + " octets");
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long stuffedLines = 0;
            for (String line = client.readLine(); !line.equals("."); line = client.readLine()) {
                if (line.startsWith(".")) {
                    assertThat(line).startsWith("..");
                    line = line.substring(1);
                    stuffedLines++;
                }
                received.update((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            assertThat(received.digest()).isEqualTo(expected);
            assertThat(stuffedLines).isEqualTo(message.dotLines());

            client.expectOk("TOP 1 2");
            List<String> top = client.readMultiLine();
            assertThat(top).endsWith("", "line 1 of the body", "..line 2 of the body starts with a dot");
            assertThat(client.command("QUIT")).isEqualTo("+OK Bye; 1 messages left");
        }
    }

    private static byte[] sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }

    /** A message of exactly {@code size} bytes, made while it is read; every other body line starts with a dot. */
    private static final class GeneratedMessage implements MessageSource {

        private static final byte[] HEADER = ("From: big@example.net\r\nTo: someone@example.org\r\nSubject: large\r\n"
                + "Message-ID: <large@example.net>\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        private final long size;

        GeneratedMessage(long size) {
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        /** Lines of the body that start with a dot (the last, cut-off line is made to end with CR LF too). */
        long dotLines() throws IOException {
            long count = 0;
            try (InputStream in = openStream()) {
                boolean lineStart = true;
                for (int b = in.read(); b >= 0; b = in.read()) {
                    if (lineStart && b == '.') {
                        count++;
                    }
                    lineStart = b == '\n';
                }
            }
            return count;
        }

        @Override
        public InputStream openStream() {
            return new InputStream() {
                private long position;
                private long lineNumber;
                private byte[] line = HEADER;
                private int inLine;

                @Override
                public int read() {
                    if (position >= size) {
                        return -1;
                    }
                    if (inLine == line.length) {
                        lineNumber++;
                        String text = lineNumber % 2 == 0 ? "." + "line " + lineNumber + " of the body starts with a dot"
                                : "line " + lineNumber + " of the body";
                        line = (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        inLine = 0;
                    }
                    // the message ends with CR LF wherever the size cuts the last line
                    long left = size - position++;
                    if (left <= 2) {
                        return left == 2 ? '\r' : '\n';
                    }
                    byte b = line[inLine++];
                    return left == 3 && b == '\r' ? 'x' : b; // no CR right before the final CR LF
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    if (position >= size) {
                        return -1;
                    }
                    int n = 0;
                    while (n < length && position < size) {
                        buffer[offset + n++] = (byte) read();
                    }
                    return n;
                }
            };
        }
    }
}
