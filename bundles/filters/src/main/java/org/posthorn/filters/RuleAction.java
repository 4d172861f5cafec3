package org.posthorn.filters;

import java.util.Locale;

import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.mail.Recipient;

/**
 * What a rule does to a message it matches. The queue filters after SMTP said 250, so
 * {@link #REJECT} is a bounce to the envelope sender: right when the sender is real, backscatter
 * when it is forged (as in most spam). {@link #JUNK} and {@link #TAG} never send anything.
 */
public enum RuleAction {
    /** Adds {@value #HEADER} naming the rule; delivery goes on as usual. */
    TAG,
    /** Tags, and files local recipients' copies into their Junk mailbox (remote copies carry the tag). */
    JUNK,
    /** Not delivered; the sender gets a bounce with the rule's code and text. */
    REJECT;

    /** The header that tells users and their mail clients which rule matched. */
    public static final String HEADER = "X-Posthorn-Filter";

    /** The mailbox {@link #JUNK} files into (created on first use if missing). */
    public static final String JUNK_MAILBOX = "Junk";

    /** Parses {@code tag}, {@code junk} or {@code reject}, in any case. */
    public static RuleAction parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown action '" + text + "' (tag, junk or reject)", e);
        }
    }

    /**
     * Applies this action for a matched rule.
     *
     * @param reason    short text naming the rule and what matched, for the header and the bounce
     * @param replyCode the SMTP code (5xx) for a rejection
     * @param status    the RFC 3463 status for a rejection, e.g. "5.7.1"
     */
    public FilterVerdict apply(FilteredMessage message, String reason, int replyCode, String status) {
        if (this == REJECT) {
            return FilterVerdict.reject(replyCode, status, "Message refused: " + reason);
        }
        message.prependHeader(HEADER, reason);
        if (this == JUNK) {
            for (Recipient recipient : message.envelope().recipients()) {
                message.fileInto(recipient.address(), JUNK_MAILBOX);
            }
        }
        return FilterVerdict.CONTINUE;
    }
}
