package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.UidSet;

/** Python's poplib as a real client, over STLS and over implicit TLS ({@code clients/poplib_session.py}). */
@ExtendWith(TestMailSystem.Resolver.class)
class PoplibTest {

    private static final String FIRST = TestMailSystem.message("poplib one", "Hello from the store.\r\n.dot line\r\n");
    private static final String SECOND = TestMailSystem.message("poplib two", "Second.\r\n");

    private final TestMailSystem system;
    private Pop3TestServer server;
    private String account;
    private AppendResult first;
    private AppendResult second;

    PoplibTest(TestMailSystem system) {
        this.system = system;
    }

    @BeforeEach
    void start() throws Exception {
        server = Pop3TestServer.start(system);
        account = system.newUser();
        first = system.deliver(account, FIRST);
        second = system.deliver(account, SECOND);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aSessionOverStls() throws Exception {
        Map<String, String> seen = run(server.pop3(), "stls");
        assertThat(seen.get("capa before tls")).isEqualTo("AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES STLS TOP UIDL");
        assertThat(seen.get("capa")).isEqualTo("AUTH-RESP-CODE IMPLEMENTATION PIPELINING RESP-CODES SASL TOP UIDL USER");
        checkSession(seen);
    }

    @Test
    void aSessionOverImplicitTls() throws Exception {
        checkSession(run(server.pop3s(), "ssl"));
    }

    private void checkSession(Map<String, String> seen) throws Exception {
        assertThat(seen.get("greeting")).isEqualTo("+OK POP3 server ready");
        assertThat(seen.get("stat")).isEqualTo("2 " + (FIRST.length() + SECOND.length()));
        assertThat(seen.get("list")).isEqualTo("1 " + FIRST.length() + " 2 " + SECOND.length());
        assertThat(seen.get("uidl")).isEqualTo("1 " + first.uidValidity() + "." + first.uid() + " 2 "
                + second.uidValidity() + "." + second.uid());
        // poplib removes the byte-stuffing and the line endings; the test joins lines with CR LF again
        assertThat(seen.get("retr 1")).isEqualTo(python(FIRST.substring(0, FIRST.length() - 2)));
        assertThat(seen.get("retr 2")).isEqualTo(python(SECOND.substring(0, SECOND.length() - 2)));
        assertThat(seen.get("top 1 0")).isEqualTo(python(FIRST.substring(0, FIRST.indexOf("\r\n\r\n") + 2)));
        assertThat(seen.get("dele 1")).isEqualTo("+OK Message 1 deleted");
        assertThat(seen.get("quit")).isEqualTo("+OK Bye; 1 messages left");
        assertThat(system.store.messages(account, "INBOX", UidSet.ALL)).hasSize(1);
    }

    /** Python's repr() of a str with CR LF, as the script prints it. */
    private static String python(String text) {
        return "'" + text.replace("\r", "\\r").replace("\n", "\\n") + "'";
    }

    private Map<String, String> run(InetSocketAddress address, String mode) throws Exception {
        Path script = Files.createTempFile(system.folder(), "poplib", ".py");
        try (InputStream in = PoplibTest.class.getResourceAsStream("/clients/poplib_session.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process python = new ProcessBuilder(List.of("python3", script.toString(), address.getHostString(),
                Integer.toString(address.getPort()), system.certificatePem().toString(), mode, account,
                TestMailSystem.PASSWORD)).redirectErrorStream(true).start();
        String output;
        try (InputStream in = python.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as("poplib session:\n" + output).isZero();
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                seen.put(line.substring(0, colon), line.substring(colon + 2).strip());
            }
        }
        return seen;
    }
}
