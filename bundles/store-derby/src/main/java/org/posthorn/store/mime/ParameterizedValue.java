package org.posthorn.store.mime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A MIME header value with parameters (RFC 2045 §5.1 Content-Type, RFC 2183
 * Content-Disposition): {@code value *(";" name "=" (token / quoted-string))}, comments skipped.
 * Lenient: an unquoted value runs to the next {@code ;}; a parameter without {@code =} is
 * dropped; the first of repeated names wins.
 *
 * @param value      the value before the first {@code ;}, lower case, comments removed
 * @param parameters names in lower case, values unquoted, in order
 */
public record ParameterizedValue(String value, Map<String, String> parameters) {

    public static ParameterizedValue parse(String text) {
        Cursor c = new Cursor(text);
        StringBuilder value = new StringBuilder();
        c.skipSpaceAndComments();
        while (!c.atEnd() && c.peek() != ';') {
            char ch = c.next();
            if (ch == '(') {
                c.back();
                c.skipSpaceAndComments();
            } else if (ch != ' ' && ch != '\t') {
                value.append(ch);
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (!c.atEnd()) {
            c.next(); // ';'
            c.skipSpaceAndComments();
            StringBuilder name = new StringBuilder();
            while (!c.atEnd() && c.peek() != '=' && c.peek() != ';' && c.peek() != ' ' && c.peek() != '\t'
                    && c.peek() != '(') {
                name.append(c.next());
            }
            c.skipSpaceAndComments();
            if (c.atEnd() || c.peek() != '=') {
                skipToSemicolon(c);
                continue;
            }
            c.next(); // '='
            c.skipSpaceAndComments();
            String v;
            if (!c.atEnd() && c.peek() == '"') {
                v = c.quotedString();
                skipToSemicolon(c);
            } else {
                StringBuilder sb = new StringBuilder();
                while (!c.atEnd() && c.peek() != ';') {
                    sb.append(c.next());
                }
                v = sb.toString().strip();
            }
            if (name.length() > 0) {
                params.putIfAbsent(name.toString().toLowerCase(Locale.ROOT), v);
            }
        }
        return new ParameterizedValue(value.toString().toLowerCase(Locale.ROOT),
                Collections.unmodifiableMap(params));
    }

    private static void skipToSemicolon(Cursor c) {
        while (!c.atEnd() && c.peek() != ';') {
            c.next();
        }
    }

    /** A character cursor with RFC 5322 comment and quoted-string handling, shared by the header parsers. */
    static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return i >= s.length();
        }

        char peek() {
            return s.charAt(i);
        }

        char next() {
            return s.charAt(i++);
        }

        void back() {
            i--;
        }

        int position() {
            return i;
        }

        /** Skips white space and (nested) comments. */
        void skipSpaceAndComments() {
            while (!atEnd()) {
                char ch = peek();
                if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
                    i++;
                } else if (ch == '(') {
                    comment();
                } else {
                    return;
                }
            }
        }

        /** Reads a comment at the cursor and returns its text without the parentheses. */
        String comment() {
            StringBuilder sb = new StringBuilder();
            int depth = 0;
            while (!atEnd()) {
                char ch = next();
                if (ch == '\\' && !atEnd()) {
                    sb.append(next());
                } else if (ch == '(') {
                    if (depth++ > 0) {
                        sb.append(ch);
                    }
                } else if (ch == ')') {
                    if (--depth == 0) {
                        break;
                    }
                    sb.append(ch);
                } else {
                    sb.append(ch);
                }
            }
            return sb.toString();
        }

        /** Reads a quoted string at the cursor (which is on the opening quote), unescaped. */
        String quotedString() {
            StringBuilder sb = new StringBuilder();
            i++;
            while (!atEnd()) {
                char ch = next();
                if (ch == '\\' && !atEnd()) {
                    sb.append(next());
                } else if (ch == '"') {
                    break;
                } else {
                    sb.append(ch);
                }
            }
            return sb.toString();
        }
    }
}
