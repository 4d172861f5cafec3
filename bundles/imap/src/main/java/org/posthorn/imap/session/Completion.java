package org.posthorn.imap.session;

/**
 * How a command completed successfully: the tagged {@code OK} with an optional response code.
 * A handler that has already sent its tagged response (STARTTLS, LOGOUT) returns {@link #SENT}.
 */
record Completion(String code, String text) {

    static final Completion SENT = new Completion(null, null);

    static Completion ok(String text) {
        return new Completion(null, text);
    }

    static Completion ok(String code, String text) {
        return new Completion(code, text);
    }
}
