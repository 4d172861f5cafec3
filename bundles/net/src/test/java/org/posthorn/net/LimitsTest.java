package org.posthorn.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private final TestProtocol protocol = new TestProtocol();
    private ProtocolServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private LineClient greeted() throws IOException {
        LineClient client = LineClient.connect(protocol.address());
        assertThat(client.readLine()).isEqualTo("+OK hello plain");
        return client;
    }

    @Test
    void connectionOverTheTotalLimitHearsWhyAndIsClosed() throws Exception {
        server = protocol.start(TestProtocol.settings().maxConnections(2).build());
        LineClient first = greeted();
        LineClient second = greeted();

        try (LineClient third = LineClient.connect(protocol.address())) {
            assertThat(third.readLine()).isEqualTo("-ERR [SYS/TEMP] TOO_MANY_CONNECTIONS");
            assertThat(third.closedByServer()).isTrue();
        }
        assertThat(protocol.status("plain").rejected()).isEqualTo(1);

        first.sendLine("QUIT");
        assertThat(first.readLine()).isEqualTo("+OK bye");
        await().until(() -> protocol.status("plain").currentConnections() == 1);
        greeted().close();
        first.close();
        second.close();
    }

    @Test
    void connectionOverThePerAddressLimitHearsWhyWhileOtherAddressesConnect() throws Exception {
        server = protocol.start(TestProtocol.settings().maxConnectionsPerAddress(2).build());
        LineClient first = greeted();
        LineClient second = greeted();

        try (LineClient third = LineClient.connect(protocol.address())) {
            assertThat(third.readLine()).isEqualTo("-ERR [SYS/TEMP] TOO_MANY_FROM_ADDRESS");
            assertThat(third.closedByServer()).isTrue();
        }
        try (LineClient elsewhere = LineClient.connectFrom("127.0.0.2", protocol.address())) {
            assertThat(elsewhere.readLine()).isEqualTo("+OK hello plain");
        }
        first.close();
        second.close();
    }
}
