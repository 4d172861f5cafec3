package org.posthorn.imap.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Mailbox names in modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for itself except
 * {@code &}, written {@code &-}; any other run of characters is {@code &}, the modified BASE64
 * ({@code ,} instead of {@code /}, no padding) of its UTF-16BE form, and {@code -}.
 */
public final class ModifiedUtf7 {

    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".toCharArray();

    private ModifiedUtf7() {
    }

    /** The name as sent to a client that has not enabled UTF8=ACCEPT. */
    public static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c == '&') {
                out.append("&-");
                i++;
            } else if (c >= 0x20 && c <= 0x7e) {
                out.append(c);
                i++;
            } else {
                int end = i;
                while (end < name.length() && (name.charAt(end) < 0x20 || name.charAt(end) > 0x7e)) {
                    end++;
                }
                out.append('&');
                base64(name.substring(i, end).getBytes(StandardCharsets.UTF_16BE), out);
                out.append('-');
                i = end;
            }
        }
        return out.toString();
    }

    private static void base64(byte[] bytes, StringBuilder out) {
        int bits = 0;
        int buffer = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                out.append(ALPHABET[(buffer >> bits) & 0x3f]);
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (6 - bits)) & 0x3f]);
        }
    }

    /**
     * The name a client sent in modified UTF-7.
     *
     * @throws IllegalArgumentException if it is not valid modified UTF-7 (8-bit characters, a
     *         shift sequence that is unterminated, holds bad BASE64 or encodes printable ASCII)
     */
    public static String decode(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c > 0x7e || c < 0x20) {
                throw new IllegalArgumentException("8-bit or control character in a modified UTF-7 name");
            }
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = encoded.indexOf('-', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated & sequence");
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                String decoded = new String(unbase64(encoded.substring(i + 1, end)), StandardCharsets.UTF_16BE);
                for (int k = 0; k < decoded.length(); k++) {
                    char d = decoded.charAt(k);
                    if (d >= 0x20 && d <= 0x7e) {
                        throw new IllegalArgumentException("printable ASCII encoded in an & sequence");
                    }
                }
                out.append(decoded);
            }
            i = end + 1;
        }
        return out.toString();
    }

    private static byte[] unbase64(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int bits = 0;
        int buffer = 0;
        for (int i = 0; i < text.length(); i++) {
            int value = indexOf(text.charAt(i));
            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.write((buffer >> bits) & 0xff);
            }
        }
        if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || out.size() % 2 != 0) {
            throw new IllegalArgumentException("bad BASE64 in an & sequence");
        }
        return out.toByteArray();
    }

    private static int indexOf(char c) {
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == c) {
                return i;
            }
        }
        throw new IllegalArgumentException("bad BASE64 character '" + c + "' in an & sequence");
    }
}
