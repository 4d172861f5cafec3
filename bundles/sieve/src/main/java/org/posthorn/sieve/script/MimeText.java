package org.posthorn.sieve.script;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough MIME for Sieve: encoded-words in header values, and the body parts the body test searches. */
final class MimeText {

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?]+)\\?([bBqQ])\\?([^?]*)\\?=");
    private static final Pattern BETWEEN_WORDS = Pattern.compile("(=\\?[^?]+\\?[bBqQ]\\?[^?]*\\?=)\\s+(?==\\?)");
    private static final Pattern PARAMETER = Pattern.compile(";\\s*([A-Za-z0-9_.-]+)\\s*=\\s*(\"[^\"]*\"|[^;\\s]+)");

    private MimeText() {
    }

    /** RFC 2047: decodes encoded-words (white space between two of them disappears). */
    static String decodeHeader(String value) {
        if (!value.contains("=?")) {
            return value;
        }
        Matcher m = ENCODED_WORD.matcher(BETWEEN_WORDS.matcher(value).replaceAll("$1"));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String decoded;
            try {
                Charset charset = Charset.forName(m.group(1).replaceAll("\\*.*", ""));
                byte[] bytes = m.group(2).equalsIgnoreCase("B") ? Base64.getMimeDecoder().decode(m.group(3))
                        : quotedPrintable(m.group(3).replace('_', ' ').getBytes(StandardCharsets.US_ASCII));
                decoded = new String(bytes, charset);
            } catch (IllegalArgumentException e) {
                decoded = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(decoded));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The texts the body test compares (RFC 5173 §5): the raw body, or the decoded leaf parts
     * whose content type matches {@code types} ("text" for {@code :text}; "" matches any).
     */
    static List<String> bodyTexts(InputStream in, int limit, String transform, List<String> types) throws IOException {
        byte[] message = in.readNBytes(limit);
        int split = headerEnd(message, 0);
        List<String> texts = new ArrayList<>();
        if (transform.equals("raw")) {
            texts.add(new String(message, split, message.length - split, StandardCharsets.UTF_8));
            return texts;
        }
        part(message, 0, message.length, "text/plain", types, texts, 0);
        return texts;
    }

    private static void part(byte[] data, int from, int to, String defaultType, List<String> types, List<String> texts,
                             int depth) {
        int split = Math.min(headerEnd(data, from), to);
        String header = new String(data, from, split - from, StandardCharsets.ISO_8859_1);
        String contentType = field(header, "content-type");
        String type = contentType == null ? defaultType
                : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/") && depth < 20) {
            String boundary = parameter(contentType, "boundary");
            if (boundary != null) {
                multipart(data, split, to, boundary, type.equals("multipart/digest") ? "message/rfc822" : "text/plain",
                        types, texts, depth);
            }
            return;
        }
        if (type.equals("message/rfc822") && depth < 20) {
            part(data, split, to, "text/plain", types, texts, depth + 1);
            return;
        }
        if (!typeMatches(type, types)) {
            return;
        }
        byte[] body = Arrays.copyOfRange(data, split, to);
        String encoding = field(header, "content-transfer-encoding");
        encoding = encoding == null ? "" : encoding.strip().toLowerCase(Locale.ROOT);
        try {
            if (encoding.equals("base64")) {
                body = Base64.getMimeDecoder().decode(body);
            } else if (encoding.equals("quoted-printable")) {
                body = quotedPrintable(body);
            }
        } catch (IllegalArgumentException e) {
            // undecodable content is searched as it is
        }
        texts.add(new String(body, charset(contentType)));
    }

    private static void multipart(byte[] data, int from, int to, String boundary, String defaultType,
                                  List<String> types, List<String> texts, int depth) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int partStart = -1;
        int line = from;
        while (line < to) {
            int end = line;
            while (end < to && data[end] != '\n') {
                end++;
            }
            if (startsWith(data, line, end, delimiter)) {
                if (partStart >= 0) {
                    int partEnd = line;
                    // the CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1)
                    if (partEnd > partStart && data[partEnd - 1] == '\n') {
                        partEnd--;
                    }
                    if (partEnd > partStart && data[partEnd - 1] == '\r') {
                        partEnd--;
                    }
                    part(data, partStart, partEnd, defaultType, types, texts, depth + 1);
                }
                boolean last = end - line >= delimiter.length + 2 && data[line + delimiter.length] == '-'
                        && data[line + delimiter.length + 1] == '-';
                if (last) {
                    return;
                }
                partStart = Math.min(end + 1, to);
            }
            line = end + 1;
        }
    }

    private static boolean startsWith(byte[] data, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean typeMatches(String type, List<String> types) {
        for (String wanted : types) {
            String w = wanted.toLowerCase(Locale.ROOT);
            if (w.isEmpty() || type.equals(w) || (!w.contains("/") && type.startsWith(w + "/"))) {
                return true;
            }
        }
        return false;
    }

    /** The offset after the empty line ending the header that starts at {@code from}, or the end. */
    private static int headerEnd(byte[] data, int from) {
        int i = from;
        while (i < data.length) {
            if (data[i] == '\n') {
                return i + 1; // an empty first line: no header
            }
            if (data[i] == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
                return i + 2;
            }
            while (i < data.length && data[i] != '\n') {
                i++;
            }
            i++;
        }
        return data.length;
    }

    private static String field(String header, String name) {
        String unfolded = header.replaceAll("\r?\n[ \t]+", " ");
        for (String line : unfolded.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    private static String parameter(String contentType, String name) {
        Matcher m = PARAMETER.matcher(contentType);
        while (m.find()) {
            if (m.group(1).equalsIgnoreCase(name)) {
                String v = m.group(2);
                return v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static Charset charset(String contentType) {
        String name = contentType == null ? null : parameter(contentType, "charset");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** RFC 2045 §6.7, leniently: a broken escape is kept as it is. */
    private static byte[] quotedPrintable(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b != '=') {
                out.write(b);
            } else if (i + 2 < in.length && in[i + 1] == '\r' && in[i + 2] == '\n') {
                i += 2; // soft line break
            } else if (i + 1 < in.length && in[i + 1] == '\n') {
                i += 1;
            } else if (i + 2 < in.length && Character.digit(in[i + 1], 16) >= 0 && Character.digit(in[i + 2], 16) >= 0) {
                out.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
