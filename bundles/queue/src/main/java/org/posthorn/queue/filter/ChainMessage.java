package org.posthorn.queue.filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;

/** The {@link FilteredMessage} one dispatcher thread hands through the chain; collects the filters' changes. */
public final class ChainMessage implements FilteredMessage {

    private final String queueId;
    private final MessageSource original;
    private final MessageHeader header;
    private final Map<MailAddress, String> mailboxes = new LinkedHashMap<>();
    private final Map<String, Object> attributes = new HashMap<>();
    private Envelope envelope;
    private boolean recipientsChanged;

    ChainMessage(String queueId, Envelope envelope, MessageSource original, MessageHeader header) {
        this.queueId = queueId;
        this.envelope = envelope;
        this.original = original;
        this.header = header;
    }

    @Override
    public String queueId() {
        return queueId;
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
        return header.fields();
    }

    @Override
    public List<String> header(String name) {
        return header.values(name);
    }

    @Override
    public void prependHeader(String name, String value) {
        header.prepend(name, value);
    }

    @Override
    public void setHeader(String name, String value) {
        header.set(name, value);
    }

    @Override
    public void removeHeader(String name) {
        header.remove(name);
    }

    @Override
    public void setRecipients(List<Recipient> recipients) {
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient; drop it instead");
        }
        envelope = envelope.withRecipients(recipients);
        recipientsChanged = true;
    }

    @Override
    public void addRecipient(Recipient recipient) {
        List<Recipient> recipients = new ArrayList<>(envelope.recipients());
        recipients.add(recipient);
        envelope = envelope.withRecipients(recipients);
        recipientsChanged = true;
    }

    @Override
    public void fileInto(MailAddress recipient, String mailbox) {
        mailboxes.put(recipient, mailbox);
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** The mailbox chosen for a recipient, or null for INBOX. */
    public String mailboxOf(MailAddress recipient) {
        return mailboxes.get(recipient);
    }

    /** True if the filters changed anything that must be saved before delivery. */
    public boolean changed() {
        return recipientsChanged || header.changed() || !mailboxes.isEmpty();
    }

    /** The edited header ending with the empty line, or null if no filter changed it. */
    public byte[] editedHeader() {
        return header.changed() ? header.toBytes() : null;
    }
}
