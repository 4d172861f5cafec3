package org.posthorn.queue.remote;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;

/** Envelopes, messages and settings for the delivery tests. */
final class TestMail {

    static final String HELO = "posthorn.test";

    private TestMail() {
    }

    static Recipient rcpt(String address) {
        return Recipient.of(MailAddress.parse(address));
    }

    static List<Recipient> rcpts(String... addresses) {
        return java.util.Arrays.stream(addresses).map(TestMail::rcpt).toList();
    }

    static Envelope envelope(List<Recipient> recipients) {
        return envelope(recipients, BodyType.SEVEN_BIT, false);
    }

    static Envelope envelope(List<Recipient> recipients, BodyType body, boolean smtpUtf8) {
        return new Envelope(MailAddress.parse("sender@origin.test"), recipients, null, null, body, smtpUtf8,
                Origin.local("test", Instant.EPOCH));
    }

    static MessageSource message(String text) {
        return MessageSource.ofBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    static final MessageSource SIMPLE = message("Subject: test\r\n\r\nHello.\r\n");

    /**
     * Settings for tests: MX hosts on {@code port}, our name {@value #HELO}, no interface
     * address counted as ours (the sink runs on loopback), short timeouts, no idle connections
     * kept; {@code overrides} are key, value, key, value, ...
     */
    static RemoteDeliveryConfig config(int port, Object... overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put("helo.name", HELO);
        p.put("mx.port", port);
        p.put("local.addresses.detect", false);
        for (String timeout : List.of("connect", "greeting", "command", "data.init", "data.block", "data.end")) {
            p.put(timeout + ".timeout", "10s");
        }
        p.put("connection.wait", "10s");
        p.put("idle.keep", "0ms");
        for (int i = 0; i < overrides.length; i += 2) {
            p.put((String) overrides[i], overrides[i + 1]);
        }
        return RemoteDeliveryConfig.fromProperties(p);
    }
}
