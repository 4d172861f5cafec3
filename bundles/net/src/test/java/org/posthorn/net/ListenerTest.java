package org.posthorn.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Binding, rebinding, unbinding, shutdown and counters. */
class ListenerTest {

    private final TestProtocol protocol = new TestProtocol();
    private ProtocolServer server;

    @AfterEach
    void stop() {
        protocol.release.countDown();
        if (server != null) {
            server.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ListenerSpec onPort(String name, int port) {
        return new ListenerSpec(name, "127.0.0.1", port, TlsMode.NONE);
    }

    private static LineClient greeted(InetSocketAddress address, String listener) throws IOException {
        LineClient client = LineClient.connect(address);
        assertThat(client.readLine()).isEqualTo("+OK hello " + listener);
        return client;
    }

    @Test
    void listenerThatCannotBindIsReportedAndTheOthersServe() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server = protocol.start(TestProtocol.settings(onPort("busy", taken.getLocalPort()), onPort("free", 0)).build());

            ListenerStatus busy = protocol.status("busy");
            assertThat(busy.bound()).isFalse();
            assertThat(busy.bindFailure()).hasValueSatisfying(reason -> assertThat(reason).containsIgnoringCase("in use"));
            assertThat(protocol.status("free").bound()).isTrue();
            try (LineClient client = greeted(protocol.address("free"), "free")) {
                client.sendLine("ECHO fine");
                assertThat(client.readLine()).isEqualTo("+OK fine");
            }
        }
        // the port is free now: reconfiguring tries the failed listener again
        server.reconfigure(server.settings());
        assertThat(protocol.status("busy").bound()).isTrue();
    }

    @Test
    void aStartedServerIsListedAsRunningUntilClosed() {
        server = protocol.start(TestProtocol.settings(onPort("listed", 0)).build());
        assertThat(ProtocolServer.running()).contains(server);
        server.close();
        assertThat(ProtocolServer.running()).doesNotContain(server);
    }

    @Test
    void changedListenerIsReboundWhileOthersAndOpenConnectionsCarryOn() throws Exception {
        server = protocol.start(TestProtocol.settings(onPort("moving", 0), onPort("steady", 0), onPort("leaving", 0)).build());
        InetSocketAddress oldMoving = protocol.address("moving");
        InetSocketAddress steady = protocol.address("steady");
        LineClient onOldPort = greeted(oldMoving, "moving");
        LineClient onSteady = greeted(steady, "steady");

        int newPort = freePort();
        server.reconfigure(server.settings().toBuilder()
                .listeners(List.of(onPort("moving", newPort), onPort("steady", 0), onPort("arriving", 0)))
                .build());

        assertThat(server.listeners()).extracting(s -> s.spec().name()).containsExactly("moving", "steady", "arriving");
        assertThat(protocol.address("moving").getPort()).isEqualTo(newPort);
        assertThat(protocol.address("steady")).isEqualTo(steady);
        assertThatThrownBy(() -> LineClient.connect(oldMoving)).isInstanceOf(ConnectException.class);
        greeted(protocol.address("moving"), "moving").close();
        greeted(protocol.address("arriving"), "arriving").close();

        onOldPort.sendLine("ECHO still connected");
        assertThat(onOldPort.readLine()).isEqualTo("+OK still connected");
        onSteady.sendLine("ECHO untouched");
        assertThat(onSteady.readLine()).isEqualTo("+OK untouched");
        assertThat(protocol.status("moving").accepted()).isEqualTo(2);
        onOldPort.close();
        onSteady.close();
    }

    @Test
    void portIsFreeTheMomentCloseReturns() throws Exception {
        int port = freePort();
        for (int round = 0; round < 5; round++) {
            server = protocol.start(TestProtocol.settings(onPort("plain", port)).build());
            assertThat(protocol.status("plain").bound()).as("round %d", round).isTrue();
            LineClient client = greeted(protocol.address("plain"), "plain");
            server.close();

            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new InetSocketAddress("127.0.0.1", port));
            }
            assertThat(client.readLine()).isEqualTo("-ERR shutting down");
            assertThat(client.closedByServer()).isTrue();
            client.close();
        }
        server = null;
    }

    @Test
    void shutdownLetsEverySessionSayGoodbyeEvenInsideABody() throws Exception {
        server = protocol.start(TestProtocol.settings().build());
        LineClient idle = greeted(protocol.address(), "plain");
        LineClient inData = greeted(protocol.address(), "plain");
        inData.send("DATA\r\npartial body\r\n");
        assertThat(inData.readLine()).isEqualTo("+OK send data");

        server.close();
        server = null;

        assertThat(idle.readLine()).isEqualTo("-ERR shutting down");
        assertThat(idle.closedByServer()).isTrue();
        assertThat(inData.readLine()).isEqualTo("-ERR shutting down");
        assertThat(inData.closedByServer()).isTrue();
        assertThat(protocol.closed).hasSize(2);
        idle.close();
        inData.close();
    }

    @Test
    void shutdownIsBoundedWhenASessionIsStuck() throws Exception {
        server = protocol.start(TestProtocol.settings().shutdownGrace(Duration.ofMillis(200)).build());
        try (LineClient stuck = greeted(protocol.address(), "plain")) {
            stuck.sendLine("HANG");
            await().until(() -> protocol.executedCommands().contains("HANG"));

            server.close();
            server = null;

            assertThat(stuck.closedByServer()).isTrue();
        }
    }

    @Test
    void countersFollowConnectionsAndBytes() throws Exception {
        server = protocol.start(TestProtocol.settings().build());
        try (LineClient client = greeted(protocol.address(), "plain")) {
            client.sendLine("ECHO counted");
            assertThat(client.readLine()).isEqualTo("+OK counted");
            ListenerStatus status = protocol.status("plain");
            assertThat(status.currentConnections()).isEqualTo(1);
            assertThat(status.accepted()).isEqualTo(1);
            assertThat(status.bytesIn()).isEqualTo("ECHO counted\r\n".length());
            // counted when MINA reports the write done, which may come just after the client read it
            await().until(() -> protocol.status("plain").bytesOut() == "+OK hello plain\r\n+OK counted\r\n".length());
            client.sendLine("QUIT");
            assertThat(client.readLine()).isEqualTo("+OK bye");
        }
        await().until(() -> protocol.status("plain").currentConnections() == 0);
        assertThat(protocol.status("plain").errors()).isZero();
    }
}
