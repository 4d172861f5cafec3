package org.posthorn.queue.dsn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.queue.index.DeliveryResult;
import org.posthorn.queue.index.EntryRecord;
import org.posthorn.queue.index.RecipientRecord;

/**
 * Writes delivery status notifications: RFC 3464 {@code multipart/report;
 * report-type=delivery-status} (RFC 6522) with a human-readable part, the machine-readable
 * status per recipient, and the original message or its header. For a message sent with
 * SMTPUTF8 the RFC 6533 types ({@code message/global-delivery-status}, {@code message/global},
 * {@code message/global-headers}) are used.
 *
 * <p>What is returned: the header only if the sender asked RET=HDRS, if the message is larger
 * than the configured limit, if it is binary (BODY=BINARYMIME), or if the report contains no
 * failure (delay and success reports); otherwise the whole message.
 */
public final class DsnWriter {

    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final int MAX_FIELD = 900;

    private final String hostName;
    private final long fullMessageLimit;

    public DsnWriter(String hostName, long fullMessageLimit) {
        this.hostName = hostName;
        this.fullMessageLimit = fullMessageLimit;
    }

    /** The envelope of a DSN about {@code entry}: from the null sender (RFC 5321 §4.5.5), to its sender. */
    public Envelope envelope(EntryRecord entry, Instant now) {
        Envelope original = entry.envelope();
        return new Envelope(null, List.of(Recipient.of(original.sender())), null, null, BodyType.EIGHT_BIT_MIME,
                original.smtpUtf8(), Origin.local("dsn", now));
    }

    /** True if a report with these lines carries the whole original message rather than its header. */
    public boolean returnsFullMessage(EntryRecord entry, List<ReportLine> lines) {
        Envelope e = entry.envelope();
        return e.ret() != DsnReturn.HEADERS && entry.size() <= fullMessageLimit && e.bodyType() != BodyType.BINARY_MIME
                && lines.stream().anyMatch(l -> l.action() == ReportLine.Action.FAILED);
    }

    /**
     * @param dsnId          the queue id the DSN gets (for its Message-ID and boundary)
     * @param retryUntil     for delayed recipients: when the queue gives up
     * @param original       the message as received
     * @param originalHeader its header bytes
     */
    public void write(OutputStream out, String dsnId, Instant now, EntryRecord entry, List<ReportLine> lines,
                      Instant retryUntil, MessageSource original, byte[] originalHeader) throws IOException {
        Envelope envelope = entry.envelope();
        boolean global = envelope.smtpUtf8();
        String boundary = "=_posthorn_report_" + dsnId;
        String human = humanText(entry, lines);
        StringBuilder head = new StringBuilder();
        field(head, "From", "Mail Delivery System <MAILER-DAEMON@" + hostName + ">");
        field(head, "To", "<" + envelope.sender() + ">");
        field(head, "Subject", subject(lines));
        field(head, "Date", DATE.format(now));
        field(head, "Message-ID", "<" + dsnId + ".dsn@" + hostName + ">");
        // RFC 3834 §5: marks the report as automatic, so auto-responders leave it alone
        field(head, "Auto-Submitted", "auto-replied");
        field(head, "MIME-Version", "1.0");
        field(head, "Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"");
        head.append("\r\n");
        head.append("This is a MIME-encapsulated message.\r\n\r\n");

        head.append("--").append(boundary).append("\r\n");
        field(head, "Content-Type", "text/plain; charset=utf-8");
        field(head, "Content-Transfer-Encoding", isAscii(human) ? "7bit" : "8bit");
        head.append("\r\n").append(human).append("\r\n");

        head.append("--").append(boundary).append("\r\n");
        field(head, "Content-Type", global ? "message/global-delivery-status" : "message/delivery-status");
        head.append("\r\n");
        statusFields(head, entry, lines, retryUntil);

        head.append("--").append(boundary).append("\r\n");
        boolean full = returnsFullMessage(entry, lines);
        String type = full ? (global ? "message/global" : "message/rfc822")
                : (global ? "message/global-headers" : "text/rfc822-headers");
        field(head, "Content-Type", type);
        boolean eightBit = envelope.bodyType() != BodyType.SEVEN_BIT || global;
        field(head, "Content-Transfer-Encoding", eightBit ? "8bit" : "7bit");
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (full) {
            try (InputStream in = original.openStream()) {
                in.transferTo(out);
            }
        } else {
            out.write(originalHeader);
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void statusFields(StringBuilder out, EntryRecord entry, List<ReportLine> lines, Instant retryUntil) {
        // RFC 3464 §2.2: per-message fields, then one block per recipient, blocks separated by empty lines
        field(out, "Reporting-MTA", "dns; " + hostName);
        field(out, "X-Posthorn-Queue-ID", entry.id());
        if (entry.envelope().envelopeId() != null) {
            field(out, "Original-Envelope-Id", entry.envelope().envelopeId());
        }
        field(out, "Arrival-Date", DATE.format(entry.arrival()));
        for (ReportLine line : lines) {
            RecipientRecord r = line.recipient();
            DeliveryResult result = r.result();
            out.append("\r\n");
            String orcpt = r.recipient().originalRecipient();
            if (orcpt != null) {
                int semicolon = orcpt.indexOf(';');
                field(out, "Original-Recipient", semicolon < 0 ? "rfc822; " + orcpt
                        : orcpt.substring(0, semicolon).strip() + "; " + orcpt.substring(semicolon + 1).strip());
            }
            field(out, "Final-Recipient", addressField(r.recipient().address()));
            field(out, "Action", line.action().field());
            field(out, "Status", status(line, result));
            if (result != null && result.remoteHost() != null) {
                field(out, "Remote-MTA", "dns; " + result.remoteHost());
            }
            if (result != null && line.action() != ReportLine.Action.DELIVERED && line.action() != ReportLine.Action.RELAYED) {
                field(out, "Diagnostic-Code", result.diagnosticCode());
            }
            if (r.lastAttempt() != null) {
                field(out, "Last-Attempt-Date", DATE.format(r.lastAttempt()));
            }
            if (line.action() == ReportLine.Action.DELAYED) {
                field(out, "Will-Retry-Until", DATE.format(retryUntil));
            }
        }
        out.append("\r\n");
    }

    private static String status(ReportLine line, DeliveryResult result) {
        return switch (line.action()) {
            case DELIVERED, RELAYED -> "2.0.0";
            case DELAYED -> result != null && result.statusCode() != null ? result.statusCode() : "4.0.0";
            case FAILED -> result != null && result.statusCode() != null ? result.statusCode() : "5.0.0";
        };
    }

    /** RFC 3464 §2.3.2 address types; RFC 6533 §3 "utf-8" for internationalised addresses. */
    private static String addressField(MailAddress address) {
        return (address.isAscii() ? "rfc822; " : "utf-8; ") + address;
    }

    private static String subject(List<ReportLine> lines) {
        if (lines.stream().anyMatch(l -> l.action() == ReportLine.Action.FAILED)) {
            return "Undelivered Mail Returned to Sender";
        }
        if (lines.stream().anyMatch(l -> l.action() == ReportLine.Action.DELAYED)) {
            return "Delayed Mail (still being retried)";
        }
        return "Successful Mail Delivery Report";
    }

    private String humanText(EntryRecord entry, List<ReportLine> lines) {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail system at host ").append(hostName).append(".\r\n\r\n");
        text.append("This is a report about your message with queue id ").append(entry.id())
                .append(", received ").append(DATE.format(entry.arrival())).append(".\r\n");
        for (ReportLine.Action action : ReportLine.Action.values()) {
            List<ReportLine> these = lines.stream().filter(l -> l.action() == action).toList();
            if (these.isEmpty()) {
                continue;
            }
            text.append("\r\n").append(switch (action) {
                case FAILED -> "It could not be delivered to these recipients:";
                case DELAYED -> "Delivery to these recipients is delayed; the mail system will keep trying:";
                case DELIVERED -> "It was delivered to these recipients:";
                case RELAYED -> "It was handed on to the next mail server for these recipients, which may not report further:";
            }).append("\r\n\r\n");
            for (ReportLine line : these) {
                text.append("  <").append(line.recipient().recipient().address()).append(">");
                DeliveryResult result = line.recipient().result();
                if (result != null && result.text() != null && action != ReportLine.Action.DELIVERED) {
                    text.append(": ").append(clean(result.text()));
                }
                text.append("\r\n");
            }
        }
        return text.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(name.equals("Content-Type") ? value : clean(value)).append("\r\n");
    }

    /** One line of at most {@value #MAX_FIELD} characters: a remote reply may have several lines. */
    private static String clean(String value) {
        String line = value.replaceAll("[\r\n]+", " ").strip();
        return line.length() > MAX_FIELD ? line.substring(0, MAX_FIELD) + "..." : line;
    }

    private static boolean isAscii(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }
}
