package org.posthorn.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.tls.TlsMaterial;

class TlsTest {

    private final TestProtocol protocol = new TestProtocol();
    private ProtocolServer server;

    @BeforeEach
    void start() {
        server = protocol.start(TestProtocol.settings(TestProtocol.loopback("starttls", TlsMode.STARTTLS),
                TestProtocol.loopback("implicit", TlsMode.IMPLICIT),
                TestProtocol.loopback("plain", TlsMode.NONE)).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private LineClient plain(String listener) throws IOException {
        LineClient client = LineClient.connect(protocol.address(listener));
        assertThat(client.readLine()).isEqualTo("+OK hello " + listener);
        return client;
    }

    @Test
    void implicitTlsListenerHandshakesBeforeTheGreeting() throws Exception {
        try (LineClient client = LineClient.connectTls(protocol.address("implicit"))) {
            assertThat(client.readLine()).isEqualTo("+OK hello implicit");
            client.sendLine("TLS");
            assertThat(client.readLine()).isEqualTo("+OK " + client.tlsProtocol());
            client.sendLine("CAPA");
            assertThat(client.readLine()).isEqualTo("+OK");
        }
    }

    @Test
    void startTlsUpgradesThePlainConnection() throws Exception {
        try (LineClient client = plain("starttls")) {
            client.sendLine("CAPA");
            assertThat(client.readLine()).isEqualTo("+OK STLS");
            client.sendLine("TLS");
            assertThat(client.readLine()).isEqualTo("+OK none");

            client.sendLine("STLS");
            assertThat(client.readLine()).isEqualTo("+OK begin TLS");
            client.startTls();

            client.sendLine("TLS");
            assertThat(client.readLine()).isEqualTo("+OK " + client.tlsProtocol());
            client.sendLine("CAPA");
            assertThat(client.readLine()).isEqualTo("+OK");
            client.sendLine("STLS");
            assertThat(client.readLine()).isEqualTo("-ERR already using TLS");
        }
    }

    @Test
    void commandPipelinedAfterStartTlsIsNeverExecuted() throws Exception {
        try (LineClient client = plain("starttls")) {
            // CVE-2011-0411: a man in the middle appends a command to the client's STARTTLS
            client.send("STLS\r\nNOOP\r\n");
            assertThat(client.readLine()).isEqualTo("+OK begin TLS");
            client.startTls();
            client.sendLine("ECHO inside TLS");
            assertThat(client.readLine()).isEqualTo("+OK inside TLS");
        }
        assertThat(protocol.executedCommands()).containsExactly("STLS", "ECHO inside TLS");
    }

    @Test
    void plainTextInsteadOfAHandshakeClosesTheConnection() throws Exception {
        try (LineClient client = plain("starttls")) {
            client.sendLine("STLS");
            assertThat(client.readLine()).isEqualTo("+OK begin TLS");
            client.sendLine("NOOP");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(protocol.executedCommands()).containsExactly("STLS");
        await().until(() -> protocol.status("starttls").errors() == 1);
    }

    @Test
    void plainListenerNeverOffersTls() throws Exception {
        try (LineClient client = plain("plain")) {
            client.sendLine("CAPA");
            assertThat(client.readLine()).isEqualTo("+OK");
        }
    }

    @Test
    void withoutTlsMaterialStartTlsIsRefusedAndImplicitTlsClosedButListenersStay() throws Exception {
        protocol.tls.set(null);

        try (LineClient client = plain("starttls")) {
            client.sendLine("CAPA");
            assertThat(client.readLine()).isEqualTo("+OK");
            client.sendLine("STLS");
            assertThat(client.readLine()).isEqualTo("-ERR [SYS/TEMP] TLS not available");
            client.sendLine("ECHO still plain");
            assertThat(client.readLine()).isEqualTo("+OK still plain");
        }
        assertThatThrownBy(() -> LineClient.connectTls(protocol.address("implicit"))).isInstanceOf(IOException.class);
        assertThat(server.listeners()).allMatch(ListenerStatus::bound);

        protocol.tls.set(TestTls.material());

        try (LineClient client = LineClient.connectTls(protocol.address("implicit"))) {
            assertThat(client.readLine()).isEqualTo("+OK hello implicit");
        }
        try (LineClient client = plain("starttls")) {
            client.sendLine("STLS");
            assertThat(client.readLine()).isEqualTo("+OK begin TLS");
            client.startTls();
            client.sendLine("ECHO secure again");
            assertThat(client.readLine()).isEqualTo("+OK secure again");
        }
    }

    @Test
    void materialIsAskedForAtEachHandshakeAndItsProtocolsApply() throws Exception {
        try (LineClient before = LineClient.connectTls(protocol.address("implicit"))) {
            assertThat(before.readLine()).isEqualTo("+OK hello implicit");
            assertThat(before.tlsProtocol()).isEqualTo("TLSv1.3");

            // a renewed certificate, say, that the admin also limits to TLS 1.2
            protocol.tls.set(new TlsMaterialWithProtocols(TestTls.material(), List.of("TLSv1.2")));

            try (LineClient after = LineClient.connectTls(protocol.address("implicit"))) {
                assertThat(after.readLine()).isEqualTo("+OK hello implicit");
                after.sendLine("TLS");
                assertThat(after.readLine()).isEqualTo("+OK TLSv1.2");
            }
            before.sendLine("TLS");
            assertThat(before.readLine()).isEqualTo("+OK TLSv1.3");
        }
    }

    @Test
    void implicitTlsClientThatNeverHandshakesIsClosed() throws Exception {
        server.reconfigure(server.settings().toBuilder().idleTimeout(Duration.ofMillis(300)).build());
        try (LineClient silent = LineClient.connect(protocol.address("implicit"))) {
            assertThat(silent.closedByServer()).isTrue();
        }
    }

    @Test
    void implicitTlsConnectionsClosedBeforeTheHandshakeAreNotCountedAsOpen() throws Exception {
        server.reconfigure(server.settings().toBuilder().maxConnectionsPerAddress(3).build());
        for (int i = 0; i < 10; i++) {
            // a port scanner or a client giving up: connects and closes without a ClientHello
            try (Socket socket = new Socket()) {
                socket.connect(protocol.address("implicit"));
            }
        }
        await().until(() -> protocol.status("implicit").currentConnections() == 0);
        try (LineClient client = LineClient.connectTls(protocol.address("implicit"))) {
            assertThat(client.readLine()).isEqualTo("+OK hello implicit");
        }
    }

    /** The test material with other protocol versions enabled. */
    private record TlsMaterialWithProtocols(TestTls material, List<String> protocols)
            implements TlsMaterial {
        @Override
        public SSLContext serverContext() {
            return material.serverContext();
        }

        @Override
        public List<String> cipherSuites() {
            return material.cipherSuites();
        }

        @Override
        public List<X509Certificate> certificateChain() {
            return material.certificateChain();
        }
    }

    @Test
    void largeBodyPassesThroughTls() throws Exception {
        try (LineClient client = LineClient.connectTls(protocol.address("implicit"))) {
            assertThat(client.readLine()).isEqualTo("+OK hello implicit");
            int size = 4 * 1024 * 1024;
            client.sendLine("BIG " + size);
            byte[] received = client.input().readNBytes(size);
            assertThat(received).isEqualTo(new TestProtocol.PatternStream(size).readAllBytes());
            assertThat(client.readLine()).isEqualTo("+OK sent");

            client.sendLine("DATA");
            assertThat(client.readLine()).isEqualTo("+OK send data");
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 100_000; i++) {
                body.append("line ").append(i).append("\r\n");
            }
            client.send(body + ".\r\n");
            assertThat(client.readLine()).startsWith("+OK " + body.length() + " ");
        }
    }
}
