package org.posthorn.sieve.script;

import java.util.List;
import java.util.Set;

/**
 * What a script decided for one recipient (RFC 5228 §2.10).
 *
 * @param copies    local copies to deliver: mailbox (null for INBOX) and flags; empty if the
 *                  message was discarded, redirected without :copy, or rejected
 * @param redirects addresses to send the message on to
 * @param reject    the reason given to the sender by reject, or null
 * @param vacation  the vacation response the script asked for, or null
 */
public record Outcome(List<Copy> copies, List<String> redirects, String reject, Vacation vacation) {

    /** One local copy. */
    public record Copy(String mailbox, Set<String> flags) {
    }

    /**
     * The arguments of a vacation action (RFC 5230 §4).
     *
     * @param days      minimum days between two responses to one sender
     * @param subject   the subject, or null for "Auto: " and the original subject
     * @param from      the From address of the response, or null for the recipient
     * @param addresses other addresses of the user, for the "is it addressed to me" check
     * @param mime      true if {@code reason} is a MIME part with its own header
     * @param handle    what identifies this response for the rate limit, or null for the reason and subject
     * @param reason    the text of the response
     */
    public record Vacation(int days, String subject, String from, List<String> addresses, boolean mime, String handle,
                           String reason) {

        /** The identity of this response for response-rate tracking (RFC 5230 §4.2). */
        public String effectiveHandle() {
            if (handle != null) {
                return handle;
            }
            return (subject == null ? "" : subject) + "\u0000" + (from == null ? "" : from) + "\u0000" + reason;
        }
    }

    /** The outcome of a script that did nothing special: one copy into INBOX. */
    public static Outcome keep() {
        return new Outcome(List.of(new Copy(null, Set.of())), List.of(), null, null);
    }
}
