package org.posthorn.queue.filter;

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
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;

/** The {@link FilteredMessage} one dispatcher thread hands through the chain; collects the filters' changes. */
public final class ChainMessage implements FilteredMessage {

    private final String queueId;
    private final MessageSource original;
    private final MessageHeader header;
    private final Map<MailAddress, List<LocalCopy>> copies = new LinkedHashMap<>();
    private final Map<MailAddress, FilterVerdict> rejections = new LinkedHashMap<>();
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
        copies.put(recipient, List.of(new LocalCopy(mailbox, Set.of())));
    }

    @Override
    public void fileInto(MailAddress recipient, List<LocalCopy> localCopies) {
        if (localCopies == null || localCopies.isEmpty()) {
            throw new IllegalArgumentException("a recipient needs at least one copy; remove it instead");
        }
        copies.put(recipient, List.copyOf(localCopies));
    }

    @Override
    public void rejectRecipient(MailAddress recipient, int replyCode, String enhancedCode, String text) {
        rejections.put(recipient, FilterVerdict.reject(replyCode, enhancedCode, text));
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** The copies chosen for a recipient: one into INBOX unless a filter said otherwise. */
    public List<LocalCopy> copiesOf(MailAddress recipient) {
        return copies.getOrDefault(recipient, List.of(LocalCopy.inbox()));
    }

    /** The rejection of one recipient by a filter, or null. */
    public FilterVerdict rejectionOf(MailAddress recipient) {
        return rejections.get(recipient);
    }

    /** True if the filters changed anything that must be saved before delivery. */
    public boolean changed() {
        return recipientsChanged || header.changed() || !copies.isEmpty() || !rejections.isEmpty();
    }

    /** The edited header ending with the empty line, or null if no filter changed it. */
    public byte[] editedHeader() {
        return header.changed() ? header.toBytes() : null;
    }
}
