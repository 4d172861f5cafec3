package org.posthorn.net;

/**
 * What a dot-stuffed body ({@link Connection#readDotStuffed(BareLineEndings)}) does with a
 * CR not followed by LF, or an LF not preceded by CR.
 *
 * <p>Either way only CR LF "." CR LF ends the body: {@code "\n.\n"}, {@code "\r.\r"} and
 * {@code "\n.\r\n"} are data, so a message cannot smuggle a second one past a
 * server that ends data differently (the SMTP smuggling attack, CVE-2023-51764 class).
 */
public enum BareLineEndings {
    /** Pass bare CR and bare LF through unchanged, as data. */
    ACCEPT,
    /**
     * Refuse the body: at the first bare CR or LF, the rest of the body is read and
     * discarded up to its end, then the stream throws {@link BareLineEndingException}. The
     * connection is then positioned after the body, so the protocol can reply at once
     * (RFC 5321 §2.3.8 forbids bare CR and LF in SMTP).
     */
    REJECT
}
