package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.smtp.SmtpPolicy;

/** SmtpPolicy services: refusals at RCPT and at the end of data, added header fields, ranking, failures. */
class PolicyTest {

    @TempDir
    Path folder;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(folder);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Greylists bob, rejects mail from spammer@bad.example, accepts alice with a header field. */
    private static final class Greylist implements SmtpPolicy {
        final List<SessionFacts> asked = new CopyOnWriteArrayList<>();

        @Override
        public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
            asked.add(session);
            if (session.sender() != null && session.sender().toString().equals("spammer@bad.example")) {
                return PolicyVerdict.reject(550, "5.7.1", "Sender blocked by policy");
            }
            if (recipient.toString().equals(TestUsers.BOB)) {
                return PolicyVerdict.tempfail(451, "4.7.1", "Greylisted, try again in 5 minutes");
            }
            return PolicyVerdict.accept(List.of(new HeaderField("X-Greylist", "passed for " + session.clientAddress().getHostAddress())));
        }
    }

    /** Rejects messages whose From: is evil@bad.example (as DMARC reject would), else adds Authentication-Results. */
    private static final class Dmarc implements SmtpPolicy {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public PolicyVerdict message(SessionFacts session, List<MailAddress> recipients, MessageSource message)
                throws Exception {
            String text;
            try (InputStream in = message.openStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            seen.add(recipients + " " + text);
            if (text.contains("From: evil@bad.example")) {
                return PolicyVerdict.reject(550, "5.7.1", "Rejected by DMARC policy of bad.example");
            }
            return PolicyVerdict.accept(List.of(new HeaderField("Authentication-Results",
                    "mx.example.org; spf=pass smtp.mailfrom=sender@example.com; dkim=pass header.d=example.com"
                            + " header.s=selector1 header.b=abcdefgh; dmarc=pass header.from=example.com")));
        }
    }

    private static void envelope(SmtpClient client, String sender) throws Exception {
        client.ehlo("client.example");
        assertThat(client.command("MAIL FROM:<" + sender + ">")).isEqualTo("250 2.1.0 Ok");
    }

    private static String data(SmtpClient client, String message) throws Exception {
        assertThat(client.command("DATA")).startsWith("354 ");
        return client.command(message + "\r\n.");
    }

    @Test
    void rcptGetsTheRefusalOfThePolicyAndTheSessionGoesOn() throws Exception {
        Greylist greylist = new Greylist();
        server.register(greylist, 0);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<bob@example.org>")).isEqualTo("451 4.7.1 Greylisted, try again in 5 minutes");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            assertThat(data(client, "Subject: hi\r\n\r\nhello")).startsWith("250 2.0.0 Ok: queued as ");

            envelope(client, "spammer@bad.example");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("550 5.7.1 Sender blocked by policy");
            assertThat(client.command("DATA")).isEqualTo("554 5.5.1 No valid recipients");
        }
        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.envelope().recipients()).extracting(r -> r.address().toString()).containsExactly(TestUsers.ALICE);
        assertThat(queued.text()).startsWith("X-Greylist: passed for 127.0.0.1\r\nReceived: from client.example (unknown [127.0.0.1])");
        SessionFacts facts = greylist.asked.get(0);
        assertThat(facts.listener()).isEqualTo("mx");
        assertThat(facts.heloName()).isEqualTo("client.example");
        assertThat(facts.sender()).hasToString("sender@example.com");
        assertThat(facts.tls()).isFalse();
        assertThat(facts.authenticatedUser()).isNull();
    }

    @Test
    void endOfDataRejectionKeepsNothingAndAcceptedHeadersGoAboveReceived() throws Exception {
        Dmarc dmarc = new Dmarc();
        server.register(dmarc, 0);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            assertThat(data(client, "From: evil@bad.example\r\nSubject: pay now\r\n\r\n..dotted"))
                    .isEqualTo("550 5.7.1 Rejected by DMARC policy of bad.example");

            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            assertThat(client.command("RCPT TO:<bob@example.org>")).isEqualTo("250 2.1.5 Ok");
            assertThat(data(client, "From: sender@example.com\r\n\r\n..dotted")).isEqualTo("250 2.0.0 Ok: queued as Q1");
        }
        // the policy read the message as the queue keeps it: Received first, dot-stuffing undone
        assertThat(dmarc.seen.get(0)).startsWith("[alice@example.org] Received: from client.example")
                .endsWith("Subject: pay now\r\n\r\n.dotted\r\n");
        assertThat(dmarc.seen.get(1)).startsWith("[alice@example.org, bob@example.org] Received: ");
        String stored = server.queue.only().text();
        // folded before a space wherever a line would pass 78 characters
        assertThat(stored).startsWith("Authentication-Results: mx.example.org; spf=pass\r\n"
                + " smtp.mailfrom=sender@example.com; dkim=pass header.d=example.com\r\n"
                + " header.s=selector1 header.b=abcdefgh; dmarc=pass header.from=example.com\r\n"
                + "Received: from client.example ");
        assertThat(stored).endsWith("\r\nFrom: sender@example.com\r\n\r\n.dotted\r\n");
        assertThat(server.queue.spooledFiles()).isEqualTo(1);
        try (var held = Files.list(server.smtp.holdFolder())) {
            assertThat(held).isEmpty();
        }
    }

    @Test
    void chunkedMessagesAreCheckedToo() throws Exception {
        server.register(new Dmarc(), 0);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            String header = "From: evil@bad.example\r\n\r\n";
            client.send("BDAT " + header.length() + "\r\n" + header + "BDAT 2 LAST\r\nhi");
            assertThat(client.reply()).isEqualTo("250 2.0.0 26 octets received (26 in total)");
            assertThat(client.reply()).isEqualTo("550 5.7.1 Rejected by DMARC policy of bad.example");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(server.queue.messages).isEmpty();
    }

    @Test
    void policiesAreAskedInRankingOrderAndComeAndGo() throws Exception {
        SmtpPolicy low = new SmtpPolicy() {
            @Override
            public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                return PolicyVerdict.reject(550, "5.7.1", "low");
            }
        };
        SmtpPolicy high = new SmtpPolicy() {
            @Override
            public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                return PolicyVerdict.reject(554, "5.7.1", "high");
            }
        };
        Map<String, Object> lowService = server.register(low, -5);
        Map<String, Object> highService = server.register(high, 10);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("554 5.7.1 high");
            server.smtp.unbindSmtpPolicy(high, highService);
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("550 5.7.1 low");
            server.smtp.unbindSmtpPolicy(low, lowService);
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
        }
    }

    @Test
    void aRankingFromACfgFileOrdersPoliciesLikeOneFromCode() throws Exception {
        List<SmtpPolicy> policies = new ArrayList<>();
        List<Map<String, Object>> services = new ArrayList<>();
        // Config Admin hands a .cfg file's service.ranking over as a String
        for (Object ranking : List.of(5, "not a number", " 20 ", 10L)) {
            SmtpPolicy refusing = new SmtpPolicy() {
                @Override
                public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                    return PolicyVerdict.reject(550, "5.7.1", "ranked " + ranking.toString().strip());
                }
            };
            policies.add(refusing);
            services.add(server.register(refusing, ranking));
        }
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("550 5.7.1 ranked 20");
            server.smtp.unbindSmtpPolicy(policies.get(2), services.get(2));
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("550 5.7.1 ranked 10");
            server.smtp.unbindSmtpPolicy(policies.get(3), services.get(3));
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("550 5.7.1 ranked 5");
            server.smtp.unbindSmtpPolicy(policies.get(0), services.get(0));
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("550 5.7.1 ranked not a number");
        }
    }

    @Test
    void authenticatedSubmissionIsAskedOnlyByPoliciesThatSaySo() throws Exception {
        SmtpPolicy everyone = new SmtpPolicy() {
            @Override
            public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                return PolicyVerdict.reject(550, "5.7.1", "Blocked for " + session.authenticatedUser()
                        + (local ? " to local " : " to remote ") + recipient);
            }
        };
        Map<String, Object> service = server.register(everyone, 0);
        try (SmtpClient client = SmtpClient.connectTls(server.submissions())) {
            client.ehlo("client.example");
            String plain = Base64.getEncoder().encodeToString(
                    ("\0" + TestUsers.ALICE + "\0" + TestUsers.ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(client.command("AUTH PLAIN " + plain)).isEqualTo("235 2.7.0 Authentication successful");
            assertThat(client.command("MAIL FROM:<alice@example.org>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<friend@elsewhere.example>")).isEqualTo("250 2.1.5 Ok");

            server.smtp.unbindSmtpPolicy(everyone, service);
            server.register(new SmtpPolicy() {
                @Override
                public boolean appliesTo(SessionFacts session) {
                    return true;
                }

                @Override
                public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local)
                        throws Exception {
                    return everyone.recipient(session, recipient, local);
                }
            }, 0);
            assertThat(client.command("RCPT TO:<other@elsewhere.example>"))
                    .isEqualTo("550 5.7.1 Blocked for alice@example.org to remote other@elsewhere.example");
        }
    }

    @Test
    void aFailingPolicyIsSkippedUnlessFailClosed() throws Exception {
        server.register(new SmtpPolicy() {
            @Override
            public PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) {
                throw new IllegalStateException("policy database down");
            }

            @Override
            public PolicyVerdict message(SessionFacts session, List<MailAddress> recipients, MessageSource message) {
                throw new IllegalStateException("policy database down");
            }
        }, 0);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            assertThat(data(client, "Subject: open\r\n\r\nx")).isEqualTo("250 2.0.0 Ok: queued as Q1");

            server.reconfigure(Map.of("policy_fail_closed", true));
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("451 4.3.0 Policy check failed; try again later");
        }
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            server.reconfigure(Map.of("policy_fail_closed", false));
            envelope(client, "sender@example.com");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            server.reconfigure(Map.of("policy_fail_closed", true));
            assertThat(data(client, "Subject: closed\r\n\r\nx")).isEqualTo("451 4.3.0 Policy check failed; try again later");
        }
        assertThat(server.queue.only().text()).contains("Subject: open");
    }
}
