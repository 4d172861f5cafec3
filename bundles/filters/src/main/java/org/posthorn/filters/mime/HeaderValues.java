package org.posthorn.filters.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of structured MIME header values: parameters (RFC 2045, RFC 2231) and encoded words (RFC 2047). */
final class HeaderValues {

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?]+)\\?([bBqQ])\\?([^?]*)\\?=");

    private HeaderValues() {
    }

    /** The value before the first {@code ;}, trimmed and in lower case. */
    static String mainValue(String value) {
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The parameters after the main value: names in lower case, quotes removed, RFC 2231
     * {@code name*=charset''text} and continuations {@code name*0=} joined, encoded words decoded.
     */
    static Map<String, String> parameters(String value) {
        Map<String, StringBuilder> joined = new LinkedHashMap<>();
        int i = value.indexOf(';');
        while (i >= 0 && i < value.length()) {
            int equals = value.indexOf('=', i);
            if (equals < 0) {
                break;
            }
            String name = value.substring(i + 1, equals).strip().toLowerCase(Locale.ROOT);
            int start = equals + 1;
            while (start < value.length() && Character.isWhitespace(value.charAt(start))) {
                start++;
            }
            StringBuilder text = new StringBuilder();
            int next;
            if (start < value.length() && value.charAt(start) == '"') {
                next = start + 1;
                while (next < value.length() && value.charAt(next) != '"') {
                    if (value.charAt(next) == '\\' && next + 1 < value.length()) {
                        next++;
                    }
                    text.append(value.charAt(next++));
                }
                next = value.indexOf(';', next);
            } else {
                next = value.indexOf(';', start);
                text.append((next < 0 ? value.substring(start) : value.substring(start, next)).strip());
            }
            addParameter(joined, name, text.toString());
            i = next;
        }
        Map<String, String> result = new LinkedHashMap<>();
        joined.forEach((name, text) -> result.put(name, decodeWords(text.toString())));
        return result;
    }

    private static void addParameter(Map<String, StringBuilder> joined, String name, String text) {
        boolean extended = name.endsWith("*");
        String base = extended ? name.substring(0, name.length() - 1) : name;
        int star = base.indexOf('*');
        String key = star < 0 ? base : base.substring(0, star);
        if (extended) {
            text = decodeExtended(text, star < 0 || base.endsWith("*0"));
        }
        joined.computeIfAbsent(key, k -> new StringBuilder()).append(text);
    }

    /** RFC 2231 §4: {@code charset'language'percent-encoded}; later continuations carry no charset. */
    private static String decodeExtended(String text, boolean first) {
        Charset charset = StandardCharsets.UTF_8;
        if (first) {
            int quote = text.indexOf('\'');
            int second = quote < 0 ? -1 : text.indexOf('\'', quote + 1);
            if (second > 0) {
                charset = charset(text.substring(0, quote));
                text = text.substring(second + 1);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(charset);
    }

    /** Decodes RFC 2047 encoded words; anything malformed stays as written. */
    static String decodeWords(String text) {
        if (!text.contains("=?")) {
            return text;
        }
        Matcher m = ENCODED_WORD.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String between = text.substring(last, m.start());
            // RFC 2047 §6.2: white space between adjacent encoded words is not displayed
            if (!(last > 0 && between.isBlank())) {
                out.append(between);
            }
            byte[] bytes;
            try {
                bytes = m.group(2).equalsIgnoreCase("b") ? Base64.getMimeDecoder().decode(m.group(3)) : decodeQ(m.group(3));
            } catch (IllegalArgumentException e) {
                bytes = m.group().getBytes(StandardCharsets.ISO_8859_1);
            }
            out.append(new String(bytes, charset(m.group(1))));
            last = m.end();
        }
        return out.append(text.substring(last)).toString();
    }

    private static byte[] decodeQ(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                bytes.write(' ');
            } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toByteArray();
    }

    static int hex(char c) {
        return Character.digit(c, 16);
    }

    /** The named charset, or ISO-8859-1 (which maps every byte) when Java does not know it. */
    static Charset charset(String name) {
        try {
            int star = name.indexOf('*');
            return Charset.forName(star < 0 ? name : name.substring(0, star));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
