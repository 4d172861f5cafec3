package org.posthorn.smtp.session;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.posthorn.api.mail.MailAddress;

/**
 * The argument of {@code MAIL FROM:} or {@code RCPT TO:}: a path in angle brackets followed by
 * ESMTP parameters (RFC 5321 §4.1.2, §4.1.1.11). Parsing the command shape and parsing the
 * address are separate steps, because they fail with different replies.
 *
 * @param path       what stood between the brackets, source route removed; empty for {@code <>}
 * @param parameters keyword (upper case) to value ({@code null} for a keyword without value), in order
 */
record PathArgument(String path, Map<String, String> parameters) {

    /** The command's shape is wrong (501 5.5.4); the text says how. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code argument}, which must start with {@code keyword} ({@code "FROM:"} or {@code "TO:"},
     * any case). A space after the colon is tolerated, as many clients send one.
     */
    static PathArgument parse(String argument, String keyword) throws SyntaxException {
        if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            throw new SyntaxException("expected " + keyword + "<address>");
        }
        int i = keyword.length();
        while (i < argument.length() && argument.charAt(i) == ' ') {
            i++;
        }
        if (i >= argument.length() || argument.charAt(i) != '<') {
            throw new SyntaxException("the address must be in angle brackets: " + keyword + "<address>");
        }
        int close = closingBracket(argument, i + 1);
        if (close < 0) {
            throw new SyntaxException("missing '>' after the address");
        }
        String path = withoutSourceRoute(argument.substring(i + 1, close));
        Map<String, String> parameters = new LinkedHashMap<>();
        String rest = argument.substring(close + 1);
        if (!rest.isEmpty() && rest.charAt(0) != ' ') {
            throw new SyntaxException("a space must separate the address from the parameters");
        }
        for (String word : rest.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            int equals = word.indexOf('=');
            String key = (equals < 0 ? word : word.substring(0, equals)).toUpperCase(Locale.ROOT);
            String value = equals < 0 ? null : word.substring(equals + 1);
            if (key.isEmpty() || !key.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-'))) {
                throw new SyntaxException("malformed parameter " + word);
            }
            if (parameters.containsKey(key)) {
                throw new SyntaxException("parameter " + key + " given twice");
            }
            parameters.put(key, value);
        }
        return new PathArgument(path, parameters);
    }

    /** The index of the '>' that closes the path, skipping quoted strings; or -1. */
    private static int closingBracket(String text, int from) {
        boolean quoted = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5321 §4.1.2 and appendix C: a source route ({@code @a,@b:user@c}) is accepted and ignored. */
    private static String withoutSourceRoute(String path) {
        if (path.startsWith("@")) {
            int colon = path.indexOf(':');
            return colon < 0 ? path : path.substring(colon + 1);
        }
        return path;
    }

    /** True for the null path {@code <>}. */
    boolean isNull() {
        return path.isEmpty();
    }

    /** True if the address contains anything beyond US-ASCII (needs SMTPUTF8, RFC 6531 §3.2). */
    boolean isAscii() {
        return path.chars().allMatch(c -> c < 0x80);
    }

    /**
     * The address.
     *
     * @throws IllegalArgumentException with a reason fit for the reply if it is not an address
     */
    MailAddress address() {
        return MailAddress.parse(path);
    }

    /**
     * Decodes xtext (RFC 3461 §4): {@code +XX} is the byte with that hexadecimal value; other
     * characters stand for themselves, printable US-ASCII except {@code +} and {@code =}.
     */
    static String decodeXtext(String xtext) throws SyntaxException {
        StringBuilder decoded = new StringBuilder(xtext.length());
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+') {
                if (i + 2 >= xtext.length()) {
                    throw new SyntaxException("truncated xtext escape in " + xtext);
                }
                int high = Character.digit(xtext.charAt(i + 1), 16);
                int low = Character.digit(xtext.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new SyntaxException("malformed xtext escape in " + xtext);
                }
                decoded.append((char) (high * 16 + low));
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                throw new SyntaxException("character not allowed in xtext: " + xtext);
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }
}
