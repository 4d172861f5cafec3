package org.posthorn.mailauth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import org.posthorn.mailauth.dkim.RawHeader;

/**
 * A {@link FilteredMessage} as the queue hands one to filters: header edits kept apart from the
 * original bytes, prepended fields written folded at spaces within 78 characters.
 */
public final class TestMessage implements FilteredMessage {

    private final MessageSource original;
    private final List<HeaderField> headers = new ArrayList<>();
    private final List<String> prepended = new ArrayList<>();
    private final Map<MailAddress, String> mailboxes = new LinkedHashMap<>();
    private final Map<String, Object> attributes = new HashMap<>();
    private final Envelope envelope;
    private boolean edited;

    public TestMessage(String message, Envelope envelope) throws IOException {
        this.original = MessageSource.ofBytes(message.getBytes(StandardCharsets.UTF_8));
        this.envelope = envelope;
        try (InputStream in = original.openStream()) {
            for (RawHeader.Field f : RawHeader.read(in).fields()) {
                headers.add(new HeaderField(f.name(), f.value()));
            }
        }
    }

    public static Origin origin(String listener, String client, String helo, String user) {
        return new Origin(helo, client, null, user == null ? "ESMTP" : "ESMTPSA", user, null, listener, Instant.now());
    }

    public static Envelope envelope(String sender, String recipient, Origin origin) {
        return new Envelope(sender == null ? null : MailAddress.parse(sender),
                List.of(Recipient.of(MailAddress.parse(recipient))), null, null, BodyType.SEVEN_BIT, false, origin);
    }

    /** The message as delivery writes it: prepended fields, then the original bytes. */
    public byte[] bytes() throws IOException {
        if (edited) {
            throw new IllegalStateException("a field of the original was removed");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field : prepended) {
            out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
        }
        try (InputStream in = original.openStream()) {
            in.transferTo(out);
        }
        return out.toByteArray();
    }

    public String mailboxOf(MailAddress recipient) {
        return mailboxes.get(recipient);
    }

    @Override
    public String queueId() {
        return "test";
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public MessageSource original() {
        return original;
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
        prepended.add(0, fold(name + ": " + value) + "\r\n");
    }

    private static String fold(String line) {
        StringBuilder out = new StringBuilder();
        String rest = line;
        while (rest.length() > 78 && rest.lastIndexOf(' ', 78) > 0) {
            int at = rest.lastIndexOf(' ', 78);
            out.append(rest, 0, at).append("\r\n");
            rest = rest.substring(at);
        }
        return out.append(rest).toString();
    }

    @Override
    public void setHeader(String name, String value) {
        throw new UnsupportedOperationException();
    }

    /** Removes the fields from {@link #headers()}; {@link #bytes()} then no longer applies. */
    @Override
    public void removeHeader(String name) {
        headers.removeIf(h -> h.name().equalsIgnoreCase(name));
        edited = true;
    }

    @Override
    public void setRecipients(List<Recipient> recipients) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void addRecipient(Recipient recipient) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void fileInto(MailAddress recipient, String mailbox) {
        mailboxes.put(recipient, mailbox);
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
