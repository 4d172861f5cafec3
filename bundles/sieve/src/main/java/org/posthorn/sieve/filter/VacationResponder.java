package org.posthorn.sieve.filter;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueException;
import org.posthorn.sieve.script.Outcome;
import org.posthorn.sieve.store.ScriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the vacation responses scripts ask for (RFC 5230), through the mail queue, from the
 * null sender, at most once per sender and response within the script's {@code :days}.
 */
public final class VacationResponder {

    private static final Logger LOG = LoggerFactory.getLogger(VacationResponder.class);

    /** RFC 5230 §4.5 and RFC 2369/2919: the fields of mailing list messages. */
    private static final List<String> LIST_FIELDS = List.of("List-Id", "List-Help", "List-Unsubscribe",
            "List-Subscribe", "List-Post", "List-Owner", "List-Archive");
    private static final Set<String> BULK_PRECEDENCE = Set.of("bulk", "list", "junk");
    private static final List<String> RECIPIENT_FIELDS = List.of("To", "Cc", "Bcc", "Resent-To", "Resent-Cc",
            "Resent-Bcc");

    private final ScriptStore store;
    private final Supplier<MailQueue> queue;
    private final int minDays;
    private final int maxDays;
    private final Clock clock;

    public VacationResponder(ScriptStore store, Supplier<MailQueue> queue, int minDays, int maxDays, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.minDays = minDays;
        this.maxDays = maxDays;
        this.clock = clock;
    }

    /** Sends the response if the rules allow one; returns why not, or null if it was queued. */
    String respond(FilteredMessage message, String account, MailAddress recipient, Outcome.Vacation vacation)
            throws SQLException {
        String refusal = refusal(message, account, recipient, vacation);
        if (refusal != null) {
            LOG.debug("{}: no vacation response for {}: {}", message.queueId(), account, refusal);
            return refusal;
        }
        MailQueue mailQueue = queue.get();
        if (mailQueue == null) {
            return "the mail queue is not available";
        }
        MailAddress sender = message.envelope().sender();
        int days = Math.max(minDays, Math.min(maxDays, vacation.days()));
        if (!store.claimVacationReply(account, sender.toString(), vacation.effectiveHandle(), Duration.ofDays(days),
                clock.instant())) {
            return "already answered within " + days + " days";
        }
        Envelope envelope = new Envelope(null, List.of(Recipient.of(sender)), null, null, BodyType.EIGHT_BIT_MIME,
                false, Origin.local("sieve-vacation", clock.instant()));
        byte[] reply = reply(message, recipient, vacation).getBytes(StandardCharsets.UTF_8);
        try {
            mailQueue.enqueue(envelope, new ByteArrayInputStream(reply));
            LOG.info("{}: vacation response of {} queued to <{}>", message.queueId(), account, sender);
            return null;
        } catch (QueueException e) {
            LOG.warn("{}: cannot queue the vacation response of {}: {}", message.queueId(), account, e.getMessage());
            return "the mail queue refused the response";
        }
    }

    /** RFC 5230 §4.5, §4.6 and §5: the messages that must not be answered. */
    private static String refusal(FilteredMessage message, String account, MailAddress recipient,
                                  Outcome.Vacation vacation) {
        MailAddress sender = message.envelope().sender();
        if (sender == null) {
            return "null sender (a bounce)";
        }
        String local = sender.localPart().toLowerCase(Locale.ROOT);
        if (local.equals("mailer-daemon") || local.startsWith("owner-") || local.endsWith("-request")
                || local.equals("listserv") || local.equals("majordomo")) {
            return "sender " + sender + " is a list or a mail system";
        }
        for (String value : message.header("Auto-Submitted")) {
            if (!value.strip().toLowerCase(Locale.ROOT).startsWith("no")) {
                return "Auto-Submitted: " + value;
            }
        }
        for (String field : LIST_FIELDS) {
            if (!message.header(field).isEmpty()) {
                return "a mailing list message (" + field + ")";
            }
        }
        for (String value : message.header("Precedence")) {
            if (BULK_PRECEDENCE.contains(value.strip().toLowerCase(Locale.ROOT))) {
                return "Precedence: " + value;
            }
        }
        List<String> mine = new ArrayList<>();
        mine.add(recipient.toString());
        mine.add(account);
        mine.addAll(vacation.addresses());
        if (vacation.from() != null) {
            mine.add(vacation.from());
        }
        if (mine.stream().anyMatch(a -> a.equalsIgnoreCase(sender.toString()))) {
            return "the message is from the user";
        }
        for (String field : RECIPIENT_FIELDS) {
            for (String value : message.header(field)) {
                String lower = value.toLowerCase(Locale.ROOT);
                if (mine.stream().anyMatch(a -> containsAddress(lower, a.toLowerCase(Locale.ROOT)))) {
                    return null;
                }
            }
        }
        return "the user is not in To, Cc or Bcc";
    }

    /** True if {@code address} appears in the header value as a whole address, not inside a longer one. */
    private static boolean containsAddress(String value, String address) {
        int at = value.indexOf(address);
        while (at >= 0) {
            int end = at + address.length();
            boolean startOk = at == 0 || " \t<,:;\"".indexOf(value.charAt(at - 1)) >= 0;
            boolean endOk = end == value.length() || " \t>,;\"".indexOf(value.charAt(end)) >= 0;
            if (startOk && endOk) {
                return true;
            }
            at = value.indexOf(address, at + 1);
        }
        return false;
    }

    /** RFC 5230 §5: the response message. */
    private String reply(FilteredMessage message, MailAddress recipient, Outcome.Vacation vacation) {
        String originalSubject = message.header("Subject").stream().findFirst().orElse("");
        String subject = vacation.subject() != null ? vacation.subject() : "Auto: " + originalSubject;
        String messageId = message.header("Message-ID").stream().findFirst().orElse(null);
        StringBuilder out = new StringBuilder();
        out.append("From: ").append(vacation.from() != null ? vacation.from() : "<" + recipient + ">").append("\r\n");
        out.append("To: <").append(message.envelope().sender()).append(">\r\n");
        out.append("Subject: ").append(encode(subject)).append("\r\n");
        out.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(clock))).append("\r\n");
        out.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(recipient.domain()).append(">\r\n");
        if (messageId != null) {
            out.append("In-Reply-To: ").append(messageId).append("\r\n");
            String references = message.header("References").stream().findFirst().orElse("");
            out.append("References: ").append(references.isEmpty() ? "" : references + " ").append(messageId)
                    .append("\r\n");
        }
        out.append("Auto-Submitted: auto-replied (vacation)\r\n");
        out.append("Precedence: bulk\r\n");
        out.append("MIME-Version: 1.0\r\n");
        if (vacation.mime()) {
            // RFC 5230 §4.3: with :mime the reason is a MIME entity with its own header fields
            out.append(vacation.reason().replaceAll("\r?\n", "\r\n"));
        } else {
            out.append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
            out.append(vacation.reason().replaceAll("\r?\n", "\r\n"));
        }
        if (out.charAt(out.length() - 1) != '\n') {
            out.append("\r\n");
        }
        return out.toString();
    }

    /** RFC 2047: a subject with non-ASCII text as one encoded-word. */
    private static String encode(String text) {
        String clean = text.replaceAll("[\r\n]+", " ");
        if (clean.chars().allMatch(c -> c < 128)) {
            return clean;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(clean.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
