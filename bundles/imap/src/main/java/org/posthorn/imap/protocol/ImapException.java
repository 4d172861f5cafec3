package org.posthorn.imap.protocol;

/**
 * A command fails with a tagged {@code NO} or {@code BAD}, optionally with a response code
 * (RFC 5530), e.g. {@code NO [TRYCREATE] No such mailbox}. Thrown by the parser (always BAD)
 * and by command handlers; the session turns it into the tagged response.
 */
public final class ImapException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean bad;
    private final String code;

    private ImapException(boolean bad, String code, String text) {
        super(text);
        this.bad = bad;
        this.code = code;
    }

    /** A syntax or protocol error: {@code BAD text}. */
    public static ImapException bad(String text) {
        return new ImapException(true, null, text);
    }

    /** A syntax or protocol error with a response code: {@code BAD [code] text}. */
    public static ImapException bad(String code, String text) {
        return new ImapException(true, code, text);
    }

    /** A command that could not be carried out: {@code NO text}. */
    public static ImapException no(String text) {
        return new ImapException(false, null, text);
    }

    /** A command that could not be carried out: {@code NO [code] text}. */
    public static ImapException no(String code, String text) {
        return new ImapException(false, code, text);
    }

    /** {@code true} for BAD, {@code false} for NO. */
    public boolean isBad() {
        return bad;
    }

    /** The response code without brackets (e.g. {@code TRYCREATE}, {@code MODIFIED 3,5}), or null. */
    public String code() {
        return code;
    }
}
