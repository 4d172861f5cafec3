package org.posthorn.filters;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;

/** A message in memory as the queue would hand it to a filter; records what the filter did. */
final class TestMessage implements FilteredMessage {

    final Map<MailAddress, String> filedInto = new LinkedHashMap<>();
    private final List<HeaderField> headers = new ArrayList<>();
    private final Map<String, Object> attributes = new HashMap<>();
    private final byte[] original;
    private Envelope envelope;

    /** A message of {@code text} (LF or CRLF line ends) to the given recipients. */
    TestMessage(String text, String... recipients) {
        String crlf = text.replace("\r\n", "\n").replace("\n", "\r\n");
        this.original = crlf.getBytes(StandardCharsets.UTF_8);
        int end = crlf.indexOf("\r\n\r\n");
        for (String line : crlf.substring(0, end < 0 ? crlf.length() : end).split("\r\n(?![ \t])")) {
            int colon = line.indexOf(':');
            headers.add(new HeaderField(line.substring(0, colon), line.substring(colon + 1).replace("\r\n", "").strip()));
        }
        List<Recipient> to = new ArrayList<>();
        for (String r : recipients.length == 0 ? new String[] {"bob@example.org"} : recipients) {
            to.add(Recipient.of(MailAddress.parse(r)));
        }
        this.envelope = new Envelope(MailAddress.parse("alice@example.com"), to, null, null, BodyType.EIGHT_BIT_MIME, false,
                new Origin("client.example", "192.0.2.7", null, "ESMTP", null, null, "mx", Instant.now()));
    }

    @Override
    public String queueId() {
        return "Q1";
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public MessageSource original() {
        return MessageSource.ofBytes(original);
    }

    @Override
    public List<HeaderField> headers() {
        return List.copyOf(headers);
    }

    @Override
    public List<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HeaderField::value).toList();
    }

    @Override
    public void prependHeader(String name, String value) {
        headers.add(0, new HeaderField(name, value));
    }

    @Override
    public void setHeader(String name, String value) {
        removeHeader(name);
        prependHeader(name, value);
    }

    @Override
    public void removeHeader(String name) {
        headers.removeIf(h -> h.name().equalsIgnoreCase(name));
    }

    @Override
    public void setRecipients(List<Recipient> recipients) {
        envelope = envelope.withRecipients(recipients);
    }

    @Override
    public void addRecipient(Recipient recipient) {
        List<Recipient> all = new ArrayList<>(envelope.recipients());
        all.add(recipient);
        envelope = envelope.withRecipients(all);
    }

    @Override
    public void fileInto(MailAddress recipient, String mailbox) {
        filedInto.put(recipient, mailbox);
    }

    @Override
    public void fileInto(MailAddress recipient, List<LocalCopy> copies) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public void rejectRecipient(MailAddress recipient, int replyCode, String enhancedCode, String text) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }
}
