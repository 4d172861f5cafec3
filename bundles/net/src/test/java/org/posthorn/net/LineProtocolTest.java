package org.posthorn.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LineProtocolTest {

    private final TestProtocol protocol = new TestProtocol();
    private ProtocolServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private LineClient connect(ServerSettings settings) throws Exception {
        server = protocol.start(settings);
        LineClient client = LineClient.connect(protocol.address());
        assertThat(client.readLine()).isEqualTo("+OK hello plain");
        return client;
    }

    @Test
    void linesAreAnsweredInOrderIncludingPipelinedOnes() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.send("ECHO one\r\nECHO two\r\nECHO th");
            assertThat(client.readLine()).isEqualTo("+OK one");
            assertThat(client.readLine()).isEqualTo("+OK two");
            client.send("ree\r\n");
            assertThat(client.readLine()).isEqualTo("+OK three");
        }
    }

    @Test
    void bareLineFeedEndsALineAndIsReportedToTheProtocol() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.send("BARE\nBARE\r\n");
            assertThat(client.readLine()).isEqualTo("+OK bare=true");
            assertThat(client.readLine()).isEqualTo("+OK bare=false");
        }
    }

    @Test
    void overLongLineGetsTheProtocolsReplyAndTheConnectionStaysUsable() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().maxLineLength(100).build())) {
            client.send("ECHO " + "x".repeat(100_000) + "\r\nECHO still here\r\n");
            assertThat(client.readLine()).isEqualTo("-ERR line too long");
            assertThat(client.readLine()).isEqualTo("+OK still here");
        }
        assertThat(protocol.executedCommands()).containsExactly("ECHO still here");
    }

    @Test
    void protocolCanReadTheNextLineInsideACallback() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.send("NEXT\r\nfollowing\r\nECHO after\r\n");
            assertThat(client.readLine()).isEqualTo("+OK next=following");
            assertThat(client.readLine()).isEqualTo("+OK after");
        }
    }

    @Test
    void clientThatNeverSendsGetsTheIdleGoodbyeAndIsClosed() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().idleTimeout(Duration.ofMillis(500)).build())) {
            assertThat(client.readLine()).isEqualTo("-ERR idle timeout");
            assertThat(client.closedByServer()).isTrue();
        }
        await().until(() -> protocol.closed.size() == 1);
    }

    @Test
    void clientThatStopsInsideABodyGetsTheIdleGoodbyeToo() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().idleTimeout(Duration.ofMillis(500)).build())) {
            client.send("LIT 10\r\nabc");
            assertThat(client.readLine()).isEqualTo("+ ready");
            assertThat(client.readLine()).isEqualTo("-ERR idle timeout");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void quitClosesAfterTheReply() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.send("QUIT\r\nECHO never\r\n");
            assertThat(client.readLine()).isEqualTo("+OK bye");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(protocol.executedCommands()).containsExactly("QUIT");
        await().until(() -> protocol.closed.size() == 1);
    }

    @Test
    void clientClosingItsSideStillGetsItsCommandsAnswered() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.send("ECHO last words\r\n");
            client.shutdownOutput();
            assertThat(client.readLine()).isEqualTo("+OK last words");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void workFromAnotherThreadRunsOnTheConnectionThroughExecute() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.sendLine("LATER news");
            assertThat(client.readLine()).isEqualTo("+OK later news");
        }
    }

    @Test
    void writingFromAnotherThreadIsRefused() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.sendLine("ELSEWHERE");
            assertThat(client.readLine()).isEqualTo("+OK refused=true");
        }
    }

    @Test
    void protocolLoggingCarriesTheConnectionInTheMdc() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.sendLine("MDC");
            String[] words = client.readLine().split(" ");
            Connection connection = protocol.connections.peek();
            assertThat(words[1]).isEqualTo(connection.id()).isEqualTo(words[4]);
            assertThat(words[2]).isEqualTo("127.0.0.1:" + connection.remoteAddress().getPort());
            assertThat(words[3]).isEqualTo("plain");
        }
    }

    @Test
    void aFailingProtocolClosesTheConnectionAndCountsAnError() throws Exception {
        try (LineClient client = connect(TestProtocol.settings().build())) {
            client.sendLine("FAIL");
            assertThat(client.closedByServer()).isTrue();
        }
        await().until(() -> protocol.status("plain").errors() == 1);
    }
}
