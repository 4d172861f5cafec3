package org.posthorn.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.net.internal.MinaConnection;

/** Counted and dot-stuffed input, and large bodies streamed in and out. */
class BodyTest {

    private static final int FIFTY_MB = 50 * 1024 * 1024;

    private final TestProtocol protocol = new TestProtocol();
    private ProtocolServer server;
    private LineClient client;

    @BeforeEach
    void start() throws Exception {
        server = protocol.start(TestProtocol.settings().build());
        client = LineClient.connect(protocol.address());
        assertThat(client.readLine()).isEqualTo("+OK hello plain");
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void countedBytesAreExactAndWhatFollowsThemIsTheNextLine() throws Exception {
        // literal with a line break inside, then the next command, all in one packet
        client.send("LIT 6\r\nab\r\ncdECHO after\r\n");
        assertThat(client.readLine()).isEqualTo("+ ready");
        assertThat(client.readLine()).isEqualTo("+OK ab\\r\\ncd");
        assertThat(client.readLine()).isEqualTo("+OK after");
        assertThat(protocol.executedCommands()).containsExactly("LIT 6", "ECHO after");
    }

    @Test
    void countedBytesArriveInPieces() throws Exception {
        client.send("LIT 5\r\n");
        assertThat(client.readLine()).isEqualTo("+ ready");
        client.send("he");
        client.send("llo");
        assertThat(client.readLine()).isEqualTo("+OK hello");
    }

    @Test
    void dotStuffedBodyIsUnstuffedAndEndsAtCrLfDotCrLfWithTheNextCommandPipelined() throws Exception {
        client.send("DATA\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\nECHO next\r\n");
        assertThat(client.readLine()).isEqualTo("+OK send data");
        assertThat(client.readLine()).isEqualTo(dataReply("Subject: hi\r\n\r\n.leading dot\r\n"));
        assertThat(client.readLine()).isEqualTo("+OK next");
    }

    @Test
    void smugglingSequencesDoNotEndTheData() throws Exception {
        // a naive server would end data at "\n.\n" and run the "smuggled" MAIL command
        client.send("DATA\r\nfirst\n.\nSMUGGLED\r\n.\r\nECHO real\r\n");
        assertThat(client.readLine()).isEqualTo("+OK send data");
        assertThat(client.readLine()).isEqualTo(dataReply("first\n.\nSMUGGLED\r\n"));
        assertThat(client.readLine()).isEqualTo("+OK real");
        assertThat(protocol.executedCommands()).containsExactly("DATA", "ECHO real");
    }

    @Test
    void bareLineFeedInStrictDataIsReportedAfterTheWholeBody() throws Exception {
        client.send("DATA strict\r\nclean\r\nbare\nline\r\n..more\r\n.\r\nECHO next\r\n");
        assertThat(client.readLine()).isEqualTo("+OK send data");
        assertThat(client.readLine()).isEqualTo("-ERR bare LF");
        assertThat(client.readLine()).isEqualTo("+OK next");
        client.send("DATA strict\r\nbare\rcr\r\n.\r\n");
        assertThat(client.readLine()).isEqualTo("+OK send data");
        assertThat(client.readLine()).isEqualTo("-ERR bare CR");
    }

    @Test
    void fiftyMegabyteBodyStreamsThroughABoundedBuffer() throws Exception {
        client.sendLine("DATA");
        assertThat(client.readLine()).isEqualTo("+OK send data");
        MessageDigest expected = TestProtocol.sha256();
        long length = sendStuffedBody(client.output(), expected, FIFTY_MB);

        String[] reply = client.readLine().split(" ");
        assertThat(reply[0]).isEqualTo("+OK");
        assertThat(Long.parseLong(reply[1])).isEqualTo(length);
        assertThat(reply[2]).isEqualTo(HexFormat.of().formatHex(expected.digest()));

        MinaConnection connection = (MinaConnection) protocol.connections.peek();
        // what sits in the buffer at most: the high-water mark plus one socket read (64 KiB in MINA)
        assertThat(connection.peakInputBuffered()).isLessThanOrEqualTo(connection.inputHighWater() + 64 * 1024);
    }

    @Test
    void fiftyMegabyteResponseStreamsWithBoundedOutputInFlight() throws Exception {
        client.sendLine("BIG " + FIFTY_MB);
        MessageDigest received = TestProtocol.sha256();
        MessageDigest expected = TestProtocol.sha256();
        expected.update(new TestProtocol.PatternStream(FIFTY_MB).readAllBytes());
        InputStream in = client.input();
        byte[] buffer = new byte[64 * 1024];
        long left = FIFTY_MB;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            assertThat(n).isPositive();
            received.update(buffer, 0, n);
            left -= n;
        }
        assertThat(client.readLine()).isEqualTo("+OK sent");
        assertThat(received.digest()).isEqualTo(expected.digest());

        MinaConnection connection = (MinaConnection) protocol.connections.peek();
        assertThat(connection.peakPendingOutput()).isLessThanOrEqualTo(256 * 1024);
    }

    /**
     * Writes about {@code size} bytes of random text lines, some starting with a dot, stuffed
     * as SMTP requires, then the terminating line. Returns the unstuffed length; {@code digest}
     * gets the unstuffed bytes.
     */
    private static long sendStuffedBody(OutputStream socket, MessageDigest digest, long size) throws IOException {
        Random random = new Random(42);
        OutputStream out = new BufferedOutputStream(socket, 64 * 1024);
        long length = 0;
        byte[] line = new byte[200];
        while (length < size) {
            int n = random.nextInt(line.length - 2);
            for (int i = 0; i < n; i++) {
                line[i] = (byte) ('!' + random.nextInt(94));
            }
            line[n] = '\r';
            line[n + 1] = '\n';
            if (n > 0 && line[0] == '.') {
                out.write('.');
            }
            out.write(line, 0, n + 2);
            digest.update(line, 0, n + 2);
            length += n + 2;
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return length;
    }

    private static String dataReply(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "+OK " + bytes.length + " " + HexFormat.of().formatHex(TestProtocol.sha256().digest(bytes)) + " "
                + TestProtocol.escape(bytes);
    }
}
