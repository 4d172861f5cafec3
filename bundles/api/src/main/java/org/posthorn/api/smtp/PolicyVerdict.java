package org.posthorn.api.smtp;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import org.posthorn.api.filter.HeaderField;

/**
 * What an {@link SmtpPolicy} answers: accept (possibly adding header fields), or refuse with an
 * SMTP reply the client sees as it is: {@code <code> <enhancedCode> <text>}.
 *
 * @param action       accept, temporary or permanent refusal
 * @param code         the reply code: 4xx for {@link Action#TEMPFAIL}, 5xx for {@link Action#REJECT},
 *                     0 for {@link Action#ACCEPT}
 * @param enhancedCode the RFC 3463 code whose class matches the reply code (e.g. "4.7.1"), or
 *                     {@code null} when accepting
 * @param text         the reply text (printable ASCII, one line), or {@code null} when accepting
 * @param headers      header fields to add at the top of the message, when accepting; the server
 *                     folds long values. Empty for refusals
 * @throws IllegalArgumentException if the code does not fit the action, or a text, name or value
 *                                  could break the protocol or the header (line breaks, control characters)
 */
public record PolicyVerdict(Action action, int code, String enhancedCode, String text, List<HeaderField> headers) {

    public enum Action {
        /** Go on: the next policy is asked, then the recipient or message is accepted. */
        ACCEPT,
        /** Refuse for now (4xx): the client keeps the message and tries again later. */
        TEMPFAIL,
        /** Refuse for good (5xx): the client returns the message to its sender. */
        REJECT
    }

    /** Accept and add nothing. */
    public static final PolicyVerdict ACCEPT = new PolicyVerdict(Action.ACCEPT, 0, null, null, List.of());

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]+");

    public PolicyVerdict {
        Objects.requireNonNull(action, "action");
        headers = List.copyOf(headers);
        if (action == Action.ACCEPT) {
            if (code != 0 || enhancedCode != null || text != null) {
                throw new IllegalArgumentException("an accepting verdict has no reply");
            }
            for (HeaderField field : headers) {
                if (!FIELD_NAME.matcher(field.name()).matches() || !printable(field.value(), true)) {
                    throw new IllegalArgumentException("not a header field name and one-line value: " + field.name());
                }
            }
        } else {
            int expectedClass = action == Action.TEMPFAIL ? 4 : 5;
            if (code / 100 != expectedClass) {
                throw new IllegalArgumentException(action + " needs a " + expectedClass + "xx reply code, not " + code);
            }
            if (enhancedCode == null || !ENHANCED.matcher(enhancedCode).matches()
                    || enhancedCode.charAt(0) - '0' != expectedClass) {
                throw new IllegalArgumentException("enhanced code " + enhancedCode + " does not fit reply code " + code);
            }
            if (text == null || text.isEmpty() || !printable(text, false)) {
                throw new IllegalArgumentException("the reply text must be one line of printable ASCII");
            }
            if (!headers.isEmpty()) {
                throw new IllegalArgumentException("only an accepting verdict adds header fields");
            }
        }
    }

    /** Accept, adding these fields at the top of the message (e.g. Authentication-Results). */
    public static PolicyVerdict accept(List<HeaderField> headers) {
        return new PolicyVerdict(Action.ACCEPT, 0, null, null, headers);
    }

    /** Refuse for now, e.g. {@code tempfail(451, "4.7.1", "Greylisted, try again later")}. */
    public static PolicyVerdict tempfail(int code, String enhancedCode, String text) {
        return new PolicyVerdict(Action.TEMPFAIL, code, enhancedCode, text, List.of());
    }

    /** Refuse for good, e.g. {@code reject(550, "5.7.1", "Rejected by DMARC policy")}. */
    public static PolicyVerdict reject(int code, String enhancedCode, String text) {
        return new PolicyVerdict(Action.REJECT, code, enhancedCode, text, List.of());
    }

    /** The SMTP reply line for a refusal. */
    public String reply() {
        return action == Action.ACCEPT ? null : code + " " + enhancedCode + " " + text;
    }

    /** Printable ASCII and spaces (and tabs in header values, which may be UTF-8 per RFC 6532). */
    private static boolean printable(String value, boolean headerValue) {
        if (value == null) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = c >= ' ' && c != 0x7f && (headerValue || c < 0x7f) || headerValue && c == '\t';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
