package org.posthorn.api.filter;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;

/**
 * A message on its way through the filter chain. Changes made here are seen by later
 * filters and applied at delivery; the stored original is never rewritten. Not
 * thread-safe: it belongs to the one dispatcher thread running the chain.
 */
@ProviderType
public interface FilteredMessage {

    /** The queue id of the message, for log lines. */
    String queueId();

    /** The envelope as it stands now (with recipient changes of earlier filters). */
    Envelope envelope();

    /** The original message bytes as received, without header changes made by filters. */
    MessageSource original();

    /** The header fields as they stand now, top to bottom, values unfolded. */
    List<HeaderField> headers();

    /** The values of every header field named {@code name} (case-insensitive), top to bottom. */
    List<String> header(String name);

    /** Adds a field at the top of the header (where trace and authentication fields go). */
    void prependHeader(String name, String value);

    /** Replaces every field named {@code name} by one with {@code value}, or adds it at the top. */
    void setHeader(String name, String value);

    /** Removes every field named {@code name}. */
    void removeHeader(String name);

    /** Replaces the recipients (a redirect). Must not be empty; use a DROP verdict instead. */
    void setRecipients(List<Recipient> recipients);

    /** Adds a recipient (a copy to an archive, a forward). */
    void addRecipient(Recipient recipient);

    /**
     * Asks for a local recipient's copy to go into {@code mailbox} instead of INBOX
     * (e.g. "Junk"). Ignored for remote recipients; a missing mailbox is created.
     */
    void fileInto(MailAddress recipient, String mailbox);

    /**
     * Replaces where a local recipient's copies go: one copy per element, each into its mailbox
     * with its flags (a Sieve {@code keep} plus {@code fileinto :copy} are two copies). Ignored
     * for remote recipients. To deliver no copy, remove the recipient instead.
     *
     * @throws IllegalArgumentException if {@code copies} is empty
     * @since 1.1
     */
    void fileInto(MailAddress recipient, List<LocalCopy> copies);

    /**
     * Fails one recipient: it gets no copy, and the sender gets a bounce (RFC 3464) for that
     * recipient alone, with this code and text. The other recipients are delivered as usual.
     *
     * @param replyCode    the SMTP code (5xx) shown in the bounce
     * @param enhancedCode the RFC 3463 code, e.g. "5.7.1"
     * @param text         the text shown to the sender
     * @since 1.1
     */
    void rejectRecipient(MailAddress recipient, int replyCode, String enhancedCode, String text);

    /** Scratch space shared by the filters of this message (e.g. a spam score), empty at start. */
    Map<String, Object> attributes();
}
