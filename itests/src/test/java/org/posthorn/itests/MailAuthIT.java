package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.posthorn.api.user.UserAdmin;

/**
 * Mail authentication in the shipped distribution (issue 10): a key made with the shell command
 * {@code posthorn:dkim-keygen}, a message submitted with AUTH to a remote address, delivered by
 * the queue over SMTP to a sink in this test, carrying a DKIM-Signature that dkimpy (Debian's
 * python3-dkim) accepts; and on port 25 a forged author of a {@code p=reject} domain refused before
 * acceptance. All DNS answers come from a loopback DNS server started with the configuration.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MailAuthIT {

    private static final String PROPERTY = "posthorn.itest.mailauth.";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        PosthornDistribution distribution = PosthornDistribution.create("mailauth");
        int submission = PosthornDistribution.freePort();
        int mx = PosthornDistribution.freePort();
        int sink = PosthornDistribution.freePort();
        LoopbackDns.configure(distribution);
        LoopbackDns.addMailAuthZone();
        Path conf = distribution.conf();
        Files.writeString(conf.resolve("org.posthorn.smtp.cfg"), String.join("\n",
                "host.name=mx.itest.example", "bind.address=127.0.0.1", "mx.port=" + mx, "submission.port=" + submission,
                "submissions.port=-1", "auth.plaintext.allowed=true", "auth.failure.delay.millis=10", ""));
        Files.writeString(conf.resolve("org.posthorn.queue.remote.cfg"), String.join("\n",
                "helo.name=mx.itest.example", "mx.port=" + sink, "local.addresses.detect=false", "idle.keep=0ms", ""));
        Files.writeString(conf.resolve("org.posthorn.mailauth.verify.cfg"), "authserv.id=mx.itest.example\ndmarc.action=ENFORCE\n");
        return distribution.options(
                systemProperty(PROPERTY + "submission").value(Integer.toString(submission)),
                systemProperty(PROPERTY + "mx").value(Integer.toString(mx)),
                systemProperty(PROPERTY + "sink").value(Integer.toString(sink)),
                systemProperty(PROPERTY + "data").value(distribution.data().toString()));
    }

    @Test
    public void submittedMailLeavesWithASignatureDkimpyAccepts() throws Exception {
        addUser("alice@itest.example");

        String output = shell("posthorn:dkim-keygen itest.example s2026 rsa");
        assertTrue(output, output.contains("s2026._domainkey.itest.example. IN TXT ( \"v=DKIM1; k=rsa; p="));
        assertTrue(Files.exists(Path.of(System.getProperty(PROPERTY + "data"), "dkim", "itest.example", "s2026.pem")));
        String record = String.join("", output.lines().filter(l -> l.contains(" IN TXT (")).findFirst().orElseThrow()
                .replaceAll("^[^\"]*\"|\"[^\"]*$", "").split("\"\\s*\""));

        try (ServerSocket sink = new ServerSocket(Integer.getInteger(PROPERTY + "sink"), 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> receive(sink));
            try (Client client = new Client(Integer.getInteger(PROPERTY + "submission"))) {
                client.expect("EHLO laptop.itest.example", "250");
                String plain = Base64.getEncoder().encodeToString("\0alice@itest.example\0secret".getBytes(StandardCharsets.UTF_8));
                client.expect("AUTH PLAIN " + plain, "235");
                client.expect("MAIL FROM:<alice@itest.example>", "250");
                client.expect("RCPT TO:<bob@remote.example>", "250");
                client.expect("DATA", "354");
                client.expect("From: Alice <alice@itest.example>\r\nTo: bob@remote.example\r\nSubject: Signed by Posthorn\r\n"
                        + "Date: Mon, 23 Nov 2026 14:00:00 +0000\r\nMessage-ID: <dkim-itest@itest.example>\r\n\r\n"
                        + "Hello Bob,\r\n..and a dot-stuffed line.\r\n.", "250");
            }
            byte[] message = received.get(60, TimeUnit.SECONDS);
            String text = new String(message, StandardCharsets.UTF_8);
            assertTrue(text, text.startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=itest.example;\r\n s=s2026;"));
            assertTrue(text, text.endsWith("\r\nHello Bob,\r\n.and a dot-stuffed line.\r\n"));
            assertEquals("pass", dkimpy(message, record));
            assertEquals("fail", dkimpy(text.replace("Hello Bob", "Hello Eve").getBytes(StandardCharsets.UTF_8), record));
        }
    }

    @Test
    public void forgedAuthorOfARejectDomainIsRefusedOnPort25() throws Exception {
        addUser("carol@itest.example");
        try (Client client = new Client(Integer.getInteger(PROPERTY + "mx"))) {
            client.expect("EHLO mail.bank.example", "250");
            client.expect("MAIL FROM:<security@bank.example>", "250");
            client.expect("RCPT TO:<carol@itest.example>", "250");
            client.expect("DATA", "354");
            String reply = client.command("From: Bank <security@bank.example>\r\nTo: carol@itest.example\r\n"
                    + "Subject: Verify your account\r\n\r\nClick here.\r\n.");
            assertEquals("550 5.7.1 Rejected by the DMARC policy of bank.example", reply);
        }
    }

    private void addUser(String address) throws Exception {
        UserAdmin users = await(UserAdmin.class);
        synchronized (MailAuthIT.class) {
            if (!users.domains().contains("itest.example")) {
                users.addDomain("itest.example");
            }
        }
        users.addUser(address, "secret".toCharArray(), 0, 0);
    }

    /** Runs a command in the Gogo shell the distribution ships; returns what it printed and returned. */
    private String shell(String command) throws Exception {
        CommandProcessor processor = await(CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
             CommandSession session = processor.createSession(InputStream.nullInputStream(), print, print)) {
            Object result = session.execute(command);
            print.println(result);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** dkimpy's verdict on the first signature, the key record handed to it instead of a DNS query. */
    private static String dkimpy(byte[] message, String record) throws Exception {
        Path file = Files.createTempFile("mailauth-it", ".eml");
        try {
            Files.write(file, message);
            Process python = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                    "import sys, dkim",
                    "message = open(sys.argv[1], 'rb').read()",
                    "record = sys.argv[2].encode('ascii')",
                    "try:",
                    "    ok = dkim.verify(message, dnsfunc=lambda name, timeout=5: record)",
                    "except dkim.DKIMException as e:",
                    "    ok = False",
                    "print('pass' if ok else 'fail')"), file.toString(), record).redirectErrorStream(true).start();
            String answer = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue("python finished", python.waitFor(60, TimeUnit.SECONDS));
            return answer;
        } finally {
            Files.delete(file);
        }
    }

    /** A remote MX that takes one message and returns it as received, dot-stuffing undone. */
    private static byte[] receive(ServerSocket server) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            reply(out, "220 sink.remote.example ESMTP");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String verb = line.length() < 4 ? line : line.substring(0, 4).toUpperCase();
                if (verb.equals("DATA")) {
                    reply(out, "354 go on");
                    for (String data = in.readLine(); !".".equals(data); data = in.readLine()) {
                        message.writeBytes(((data.startsWith(".") ? data.substring(1) : data) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                    reply(out, "250 2.0.0 kept");
                } else if (verb.equals("QUIT")) {
                    reply(out, "221 bye");
                    break;
                } else {
                    reply(out, "250 sink.remote.example");
                }
            }
            return message.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("the sink failed", e);
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private <T> T await(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(30_000);
            assertTrue(type.getSimpleName() + " service registered", service != null);
            return service;
        } finally {
            tracker.close();
        }
    }

    /** A plain-text SMTP client (the test configuration allows AUTH without TLS). */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Client(int port) throws IOException, InterruptedException {
            socket = connect(port);
            socket.setSoTimeout(60_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
            String greeting = in.readLine();
            assertTrue(greeting, greeting != null && greeting.startsWith("220 "));
        }

        /** The listener opens once FileInstall has applied conf/; connect when it does. */
        private static Socket connect(int port) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    return s;
                } catch (IOException e) {
                    s.close();
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
        }

        void expect(String line, String code) throws IOException {
            String reply = command(line);
            assertTrue(line + " -> " + reply, reply.startsWith(code));
        }

        String command(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String last = in.readLine();
            while (last != null && last.length() > 3 && last.charAt(3) == '-') {
                last = in.readLine();
            }
            return last;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
