package com.example.subjectfilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;

/**
 * The header of a message, standing in for the message the queue hands to filters. This filter
 * reads and adds header fields only; the rest of the contract is not needed here.
 */
final class TestMessage implements FilteredMessage {

    private final List<HeaderField> fields = new ArrayList<>();

    /** A message with the given header fields, "Name: value" each. */
    TestMessage(String... header) {
        for (String field : header) {
            int colon = field.indexOf(':');
            fields.add(new HeaderField(field.substring(0, colon), field.substring(colon + 1).strip()));
        }
    }

    @Override
    public String queueId() {
        return "test";
    }

    @Override
    public List<HeaderField> headers() {
        return List.copyOf(fields);
    }

    @Override
    public List<String> header(String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(HeaderField::value).toList();
    }

    @Override
    public void prependHeader(String name, String value) {
        fields.add(0, new HeaderField(name, value));
    }

    @Override
    public Envelope envelope() {
        throw new UnsupportedOperationException();
    }

    @Override
    public MessageSource original() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setHeader(String name, String value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeHeader(String name) {
        throw new UnsupportedOperationException();
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
        throw new UnsupportedOperationException();
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
        throw new UnsupportedOperationException();
    }
}
