package org.posthorn.mailauth.dkim;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The two DKIM canonicalization algorithms (RFC 6376 §3.4), for header fields and for the body. */
public enum Canonicalization {
    SIMPLE,
    RELAXED;

    /** Parses one half of a {@code c=} value ("simple" or "relaxed"). */
    public static Canonicalization of(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new IllegalArgumentException("unknown canonicalization: " + name);
        };
    }

    /** The name as written in {@code c=}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * One header field canonicalized, ending in CRLF.
     *
     * @param raw the field exactly as in the message (name, colon, value, folding, final CRLF),
     *            as ISO-8859-1 text so every byte is one char
     */
    public byte[] header(String raw) {
        if (this == SIMPLE) {
            return raw.getBytes(StandardCharsets.ISO_8859_1);
        }
        int colon = raw.indexOf(':');
        return relaxedHeader(raw.substring(0, colon), raw.substring(colon + 1), StandardCharsets.ISO_8859_1);
    }

    /**
     * RFC 6376 §3.4.2: lower-case name, unfolded value with runs of white space made one space,
     * no white space at the ends of the value or around the colon; then CRLF.
     *
     * @param charset how the text is turned back into the message's bytes: ISO-8859-1 for
     *                text read one char per byte, UTF-8 for values decoded as UTF-8
     */
    public static byte[] relaxedHeader(String name, String value, java.nio.charset.Charset charset) {
        String v = value.replaceAll("\r?\n", "").replaceAll("[ \t]+", " ").strip();
        return (name.strip().toLowerCase(Locale.ROOT) + ":" + v + "\r\n").getBytes(charset);
    }
}
