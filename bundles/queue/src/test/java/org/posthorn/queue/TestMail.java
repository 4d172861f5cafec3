package org.posthorn.queue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;

/** Envelopes and messages for tests. */
public final class TestMail {

    private TestMail() {
    }

    public static Origin origin() {
        return new Origin("client.example.net", "192.0.2.10", "client.example.net", "ESMTPSA", "alice@example.org",
                "TLSv1.3 TLS_AES_128_GCM_SHA256", "submission", Instant.parse("2026-11-23T10:00:00Z"));
    }

    public static Envelope envelope(String sender, String... recipients) {
        return new Envelope(sender == null ? null : MailAddress.parse(sender),
                Arrays.stream(recipients).map(r -> Recipient.of(MailAddress.parse(r))).toList(), null, null,
                BodyType.EIGHT_BIT_MIME, false, origin());
    }

    public static Recipient recipient(String address, DsnNotify... notify) {
        return new Recipient(MailAddress.parse(address), Set.of(notify), null);
    }

    public static Envelope envelope(String sender, List<Recipient> recipients) {
        return new Envelope(sender == null ? null : MailAddress.parse(sender), recipients, null, null,
                BodyType.EIGHT_BIT_MIME, false, origin());
    }

    /** A small message with a Subject and a body line. */
    public static byte[] message(String subject) {
        return ("From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + "@example.org>\r\n\r\nHello Bob,\r\nthis is " + subject
                + ".\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A message of about {@code size} bytes: a header, then body lines of 76 characters. */
    public static byte[] message(String subject, int size) {
        StringBuilder sb = new StringBuilder(new String(message(subject), StandardCharsets.UTF_8));
        String line = "0123456789".repeat(8).substring(0, 76) + "\r\n";
        while (sb.length() < size) {
            sb.append(line);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
