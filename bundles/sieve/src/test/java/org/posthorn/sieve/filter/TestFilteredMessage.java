package org.posthorn.sieve.filter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;

/** A message in the filter chain as the queue presents it, recording what filters ask for. */
final class TestFilteredMessage implements FilteredMessage {

    final Map<MailAddress, List<LocalCopy>> copies = new LinkedHashMap<>();
    final Map<MailAddress, FilterVerdict> rejections = new LinkedHashMap<>();
    private final byte[] bytes;
    private final List<HeaderField> header = new ArrayList<>();
    private Envelope envelope;

    TestFilteredMessage(String sender, List<String> recipients, String text) {
        bytes = text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        envelope = new Envelope(sender == null ? null : MailAddress.parse(sender),
                recipients.stream().map(r -> Recipient.of(MailAddress.parse(r))).toList(), null, null,
                BodyType.EIGHT_BIT_MIME, false, Origin.local("test", Instant.now()));
        String head = new String(bytes, StandardCharsets.UTF_8).split("\r\n\r\n", 2)[0].replaceAll("\r\n[ \t]+", " ");
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            header.add(new HeaderField(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
    }

    List<String> recipients() {
        return envelope.recipients().stream().map(r -> r.address().toString()).toList();
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
        return MessageSource.ofBytes(bytes);
    }

    @Override
    public List<HeaderField> headers() {
        return header;
    }

    @Override
    public List<String> header(String name) {
        return header.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(HeaderField::value).toList();
    }

    @Override
    public void prependHeader(String name, String value) {
        header.add(0, new HeaderField(name, value));
    }

    @Override
    public void setHeader(String name, String value) {
        removeHeader(name);
        prependHeader(name, value);
    }

    @Override
    public void removeHeader(String name) {
        header.removeIf(f -> f.name().equalsIgnoreCase(name));
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
        fileInto(recipient, List.of(new LocalCopy(mailbox, Set.of())));
    }

    @Override
    public void fileInto(MailAddress recipient, List<LocalCopy> localCopies) {
        copies.put(recipient, List.copyOf(localCopies));
    }

    @Override
    public void rejectRecipient(MailAddress recipient, int replyCode, String enhancedCode, String text) {
        rejections.put(recipient, FilterVerdict.reject(replyCode, enhancedCode, text));
    }

    @Override
    public Map<String, Object> attributes() {
        return new HashMap<>();
    }
}
