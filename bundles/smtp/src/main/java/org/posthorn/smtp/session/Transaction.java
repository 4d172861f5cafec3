package org.posthorn.smtp.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.posthorn.api.filter.HeaderField;

import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;

/** One mail transaction, from MAIL FROM to the end of the data (RFC 5321 §3.3). */
final class Transaction {

    private final MailAddress sender;
    private final BodyType bodyType;
    private final boolean smtpUtf8;
    private final DsnReturn ret;
    private final String envelopeId;
    private final long declaredSize;
    /** By address: a recipient named twice is kept once, with its first parameters. */
    private final Map<MailAddress, Recipient> recipients = new LinkedHashMap<>();
    /** Header fields policies gave with the accepted recipients, each once. */
    private final Set<HeaderField> policyHeaders = new LinkedHashSet<>();

    /** @param declaredSize the SIZE parameter of MAIL FROM (RFC 1870), or -1 */
    Transaction(MailAddress sender, BodyType bodyType, boolean smtpUtf8, DsnReturn ret, String envelopeId,
                long declaredSize) {
        this.sender = sender;
        this.declaredSize = declaredSize;
        this.bodyType = bodyType;
        this.smtpUtf8 = smtpUtf8;
        this.ret = ret;
        this.envelopeId = envelopeId;
    }

    MailAddress sender() {
        return sender;
    }

    /** The size the client declared with MAIL FROM, or -1. */
    long declaredSize() {
        return declaredSize;
    }

    BodyType bodyType() {
        return bodyType;
    }

    boolean smtpUtf8() {
        return smtpUtf8;
    }

    void add(Recipient recipient) {
        recipients.putIfAbsent(recipient.address(), recipient);
    }

    void addHeaders(Collection<HeaderField> fields) {
        policyHeaders.addAll(fields);
    }

    /** The policies' header fields from RCPT time, then {@code more}, each once. */
    List<HeaderField> policyHeaders(Collection<HeaderField> more) {
        Set<HeaderField> all = new LinkedHashSet<>(policyHeaders);
        all.addAll(more);
        return new ArrayList<>(all);
    }

    List<MailAddress> addresses() {
        return new ArrayList<>(recipients.keySet());
    }

    int recipientCount() {
        return recipients.size();
    }

    List<Recipient> recipients() {
        return new ArrayList<>(recipients.values());
    }

    Envelope envelope(Origin origin) {
        return new Envelope(sender, recipients(), ret, envelopeId, bodyType, smtpUtf8, origin);
    }
}
