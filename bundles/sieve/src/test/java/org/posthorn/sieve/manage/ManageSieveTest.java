package org.posthorn.sieve.manage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ProtocolServer;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;
import org.posthorn.sieve.TestBackend;

/** ManageSieve sessions over real sockets, with STARTTLS, against scripts in a real Derby. */
class ManageSieveTest {

    private static final int MAX_SCRIPT = 4096;
    private static TestBackend backend;
    private static ProtocolServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
        server = ProtocolServer.start(ServerSettings.builder("managesieve")
                        .listener(new ListenerSpec("managesieve", "127.0.0.1", 0, TlsMode.STARTTLS)).build(),
                c -> new ManageSieveSession(c, backend.scripts, () -> Optional.of(backend.directory),
                        () -> new ManageSieveSettings(false, MAX_SCRIPT, 3, 2)),
                () -> Optional.of(backend.tls()));
        port = server.listeners().get(0).boundAddress().orElseThrow().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        backend.close();
    }

    /** A raw ManageSieve client: sends lines and literals, reads responses up to OK, NO or BYE. */
    private static final class Client implements AutoCloseable {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Client() throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Sends a command and returns the response lines up to and including the OK, NO or BYE line. */
        List<String> command(String text) throws IOException {
            send(text + "\r\n");
            return response();
        }

        List<String> response() throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = line();
                lines.add(line);
                if (line.startsWith("OK") || line.startsWith("NO") || line.startsWith("BYE")) {
                    return lines;
                }
            }
        }

        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed after " + line);
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.UTF_8);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        void startTls() throws Exception {
            assertThat(command("STARTTLS")).containsExactly("OK \"Begin TLS negotiation now\"");
            SSLSocket tls = (SSLSocket) clientTls().getSocketFactory().createSocket(socket, "localhost", port, true);
            tls.startHandshake();
            socket = tls;
            in = tls.getInputStream();
            out = tls.getOutputStream();
        }

        void login(String account) throws Exception {
            String plain = Base64.getEncoder().encodeToString(("\0" + account + "\0" + TestBackend.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(command("AUTHENTICATE \"PLAIN\" \"" + plain + "\"")).containsExactly("OK \"Authenticated\"");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static SSLContext clientTls() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("posthorn", backend.tls().certificateChain().get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String literal(String text) {
        return "{" + text.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + text;
    }

    @Test
    void aClientUploadsChecksActivatesReadsRenamesAndDeletesScriptsAfterStartTls() throws Exception {
        String account = backend.newUser();
        String script = "require \"fileinto\";\r\nif header :contains \"subject\" \"[list]\" {\r\n"
                + "  fileinto \"Lists\";\r\n}\r\n";
        try (Client c = new Client()) {
            List<String> greeting = c.response();
            assertThat(greeting).contains("\"IMPLEMENTATION\" \"Posthorn\"", "\"SASL\" \"\"", "\"STARTTLS\"",
                    "\"VERSION\" \"1.0\"", "\"SIEVE\" \"fileinto reject envelope body vacation imap4flags copy"
                            + " comparator-i;ascii-numeric\"");
            assertThat(greeting.get(greeting.size() - 1)).startsWith("OK");
            assertThat(c.command("AUTHENTICATE \"PLAIN\" \"AGEAYg==\"")).containsExactly(
                    "NO (ENCRYPT-NEEDED) \"Use STARTTLS first\"");
            assertThat(c.command("LISTSCRIPTS")).containsExactly("NO \"Authenticate first\"");

            c.startTls();
            List<String> again = c.response();
            assertThat(again).contains("\"SASL\" \"PLAIN\"").doesNotContain("\"STARTTLS\"");
            assertThat(again.get(again.size() - 1)).isEqualTo("OK \"TLS negotiation successful\"");
            c.login(account);

            assertThat(c.command("PUTSCRIPT \"broken\" " + literal("fileinto \"x\";\r\n"))).containsExactly(
                    "NO \"line 1: fileinto needs require \\\"fileinto\\\"\"");
            assertThat(c.command("CHECKSCRIPT " + literal("if true {\r\n  keep\r\n}\r\n"))).containsExactly(
                    "NO \"line 3: expected ';' after keep, found '}'\"");
            assertThat(c.command("CHECKSCRIPT " + literal(script))).containsExactly("OK \"Script is valid\"");
            assertThat(c.command("PUTSCRIPT \"sort mail\" " + literal(script))).containsExactly(
                    "OK \"Putscript completed\"");
            assertThat(c.command("PUTSCRIPT \"spare\" \"keep;\"")).containsExactly("OK \"Putscript completed\"");
            assertThat(c.command("LISTSCRIPTS")).containsExactly("\"sort mail\"", "\"spare\"",
                    "OK \"Listscripts completed\"");
            assertThat(c.command("SETACTIVE \"nothing\"")).containsExactly(
                    "NO (NONEXISTENT) \"There is no script by that name\"");
            assertThat(c.command("SETACTIVE \"sort mail\"")).containsExactly("OK \"Setactive completed\"");
            assertThat(c.command("LISTSCRIPTS")).containsExactly("\"sort mail\" ACTIVE", "\"spare\"",
                    "OK \"Listscripts completed\"");
            assertThat(backend.scripts.active(account)).contains(script);

            c.send("GETSCRIPT \"sort mail\"\r\n");
            assertThat(c.line()).isEqualTo("{" + script.length() + "}");
            assertThat(c.line() + "\r\n" + c.line() + "\r\n" + c.line() + "\r\n" + c.line() + "\r\n").isEqualTo(script);
            assertThat(c.line()).isEmpty();
            assertThat(c.line()).isEqualTo("OK \"Getscript completed\"");

            assertThat(c.command("HAVESPACE \"other\" 100")).containsExactly("OK \"Putscript would succeed\"");
            assertThat(c.command("HAVESPACE \"other\" 5000")).containsExactly(
                    "NO (QUOTA/MAXSIZE) \"Scripts may have at most 4096 octets\"");
            assertThat(c.command("DELETESCRIPT \"sort mail\"")).containsExactly(
                    "NO (ACTIVE) \"The active script cannot be deleted\"");
            assertThat(c.command("RENAMESCRIPT \"sort mail\" \"spare\"")).containsExactly(
                    "NO (ALREADYEXISTS) \"A script by the new name exists\"");
            assertThat(c.command("RENAMESCRIPT \"sort mail\" \"sorting\"")).containsExactly(
                    "OK \"Renamescript completed\"");
            assertThat(c.command("LISTSCRIPTS")).containsExactly("\"sorting\" ACTIVE", "\"spare\"",
                    "OK \"Listscripts completed\"");
            assertThat(c.command("SETACTIVE \"\"")).containsExactly("OK \"No script is active now\"");
            assertThat(c.command("DELETESCRIPT \"sorting\"")).containsExactly("OK \"Deletescript completed\"");
            assertThat(c.command("DELETESCRIPT \"sorting\"")).containsExactly(
                    "NO (NONEXISTENT) \"There is no script by that name\"");
            assertThat(c.command("NOOP \"t1\"")).containsExactly("OK (TAG \"t1\") \"Done\"");
            assertThat(c.command("UNAUTHENTICATE")).containsExactly("OK \"Unauthenticate completed\"");
            assertThat(c.command("LISTSCRIPTS")).containsExactly("NO \"Authenticate first\"");
            assertThat(c.command("LOGOUT")).containsExactly("OK \"Logout\"");
            assertThat(c.in.read()).isEqualTo(-1);
        }
    }

    @Test
    void anOversizedLiteralIsSkippedAndRefusedAndTheSessionGoesOn() throws Exception {
        String account = backend.newUser();
        try (Client c = new Client()) {
            c.response();
            c.startTls();
            c.response();
            c.login(account);
            String big = "# " + "x".repeat(MAX_SCRIPT) + "\r\nkeep;\r\n";
            assertThat(c.command("PUTSCRIPT \"big\" " + literal(big))).containsExactly(
                    "NO (QUOTA/MAXSIZE) \"Literal larger than 4096 octets\"");
            assertThat(c.command("PUTSCRIPT \"a\" \"keep;\"")).containsExactly("OK \"Putscript completed\"");
            assertThat(c.command("PUTSCRIPT \"b\" \"keep;\"")).containsExactly("OK \"Putscript completed\"");
            assertThat(c.command("PUTSCRIPT \"c\" \"keep;\"")).containsExactly("OK \"Putscript completed\"");
            assertThat(c.command("PUTSCRIPT \"d\" \"keep;\"")).containsExactly(
                    "NO (QUOTA/MAXSCRIPTS) \"At most 3 scripts per user\"");
            assertThat(c.command("PUTSCRIPT \"a\" \"discard;\"")).containsExactly("OK \"Putscript completed\"");
            assertThat(c.command("PUTSCRIPT \"bad\u0001name\" \"keep;\"")).hasSize(1).first().asString()
                    .startsWith("NO \"Script names are");
            assertThat(c.command("FROBNICATE")).containsExactly("NO \"Unknown command FROBNICATE\"");
            assertThat(c.command("NOOP")).containsExactly("OK \"Done\"");
        }
    }

    @Test
    void wrongPasswordsAreRefusedAndTooManyCloseTheConnection() throws Exception {
        String account = backend.newUser();
        String wrong = Base64.getEncoder().encodeToString(("\0" + account + "\0wrong").getBytes(StandardCharsets.UTF_8));
        try (Client c = new Client()) {
            c.response();
            c.startTls();
            c.response();
            c.send("AUTHENTICATE \"PLAIN\"\r\n");
            assertThat(c.line()).isEqualTo("\"\"");
            assertThat(c.command("\"" + wrong + "\"")).containsExactly("NO \"Authentication failed\"");
            assertThat(c.command("AUTHENTICATE \"PLAIN\" \"" + wrong + "\"")).containsExactly(
                    "BYE \"Too many failed logins\"");
            assertThat(c.in.read()).isEqualTo(-1);
        }
    }
}
