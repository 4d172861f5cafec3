package org.posthorn.store.mime;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) for searching header text. */
public final class EncodedWords {

    private static final Pattern WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
    /** RFC 2047 §6.2: white space between adjacent encoded words is not displayed. */
    private static final Pattern BETWEEN_WORDS = Pattern.compile("(\\?=)[ \\t\\r\\n]+(=\\?)");

    private EncodedWords() {
    }

    public static String decode(String text) {
        if (text == null || !text.contains("=?")) {
            return text;
        }
        String joined = BETWEEN_WORDS.matcher(text).replaceAll("$1$2");
        Matcher m = WORD.matcher(joined);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            sb.append(joined, last, m.start());
            String decoded = decodeWord(m.group(1), m.group(2), m.group(3));
            sb.append(decoded != null ? decoded : m.group());
            last = m.end();
        }
        sb.append(joined, last, joined.length());
        return sb.toString();
    }

    private static String decodeWord(String charsetName, String encoding, String text) {
        Charset charset = Charsets.forName(charsetName.contains("*")
                ? charsetName.substring(0, charsetName.indexOf('*')) : charsetName);
        byte[] bytes;
        if (encoding.equalsIgnoreCase("B")) {
            bytes = TransferDecoder.decodeAll(new TransferDecoder.Base64(), text.getBytes(StandardCharsets.US_ASCII));
        } else {
            bytes = TransferDecoder.decodeAll(new TransferDecoder.QuotedPrintable(),
                    text.replace('_', ' ').getBytes(StandardCharsets.ISO_8859_1));
        }
        return new String(bytes, charset);
    }
}
