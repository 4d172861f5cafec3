package org.posthorn.api.filter;

import java.util.Objects;

/**
 * What a filter decided.
 *
 * @param action       continue, reject or drop
 * @param replyCode    for REJECT: the SMTP code (5xx) used in the bounce; 0 otherwise
 * @param enhancedCode for REJECT: the RFC 3463 code, e.g. "5.7.1"; null otherwise
 * @param text         for REJECT: the text shown to the sender; for DROP: the reason logged
 */
public record FilterVerdict(Action action, int replyCode, String enhancedCode, String text) {

    public enum Action {
        /** Go on to the next filter, then deliver. */
        CONTINUE,
        /** Do not deliver; bounce to the sender with the code and text. */
        REJECT,
        /** Do not deliver and do not bounce; the reason is logged. */
        DROP
    }

    public static final FilterVerdict CONTINUE = new FilterVerdict(Action.CONTINUE, 0, null, null);

    public FilterVerdict {
        Objects.requireNonNull(action, "action");
        if (action == Action.REJECT && (replyCode < 500 || replyCode > 599)) {
            throw new IllegalArgumentException("a rejection needs a 5xx reply code");
        }
    }

    public static FilterVerdict reject(int replyCode, String enhancedCode, String text) {
        return new FilterVerdict(Action.REJECT, replyCode, enhancedCode, text);
    }

    public static FilterVerdict drop(String reason) {
        return new FilterVerdict(Action.DROP, 0, null, reason);
    }
}
