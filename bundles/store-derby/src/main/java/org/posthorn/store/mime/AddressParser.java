package org.posthorn.store.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.posthorn.api.store.EnvelopeAddress;

/**
 * Parses an RFC 5322 address-list (with groups, quoted strings, comments, obsolete routes)
 * into IMAP ENVELOPE addresses. Lenient: what cannot be an address is skipped; an address
 * without {@code @} gets an empty host. A comment after a bare addr-spec
 * ({@code a@b (Name)}) becomes the display name.
 */
public final class AddressParser {

    private enum Kind { WORD, QUOTED, SPECIAL, COMMENT }

    private record Token(Kind kind, String text) {
        boolean is(char special) {
            return kind == Kind.SPECIAL && text.charAt(0) == special;
        }
    }

    private AddressParser() {
    }

    public static List<EnvelopeAddress> parse(String text) {
        List<EnvelopeAddress> result = new ArrayList<>();
        if (text == null) {
            return result;
        }
        List<Token> tokens = tokenize(text);
        int i = 0;
        while (i < tokens.size()) {
            int groupColon = groupColon(tokens, i);
            if (groupColon >= 0) {
                result.add(new EnvelopeAddress(null, null, phrase(tokens, i, groupColon), null));
                i = groupColon + 1;
                while (i < tokens.size() && !tokens.get(i).is(';')) {
                    int end = addressEnd(tokens, i, true);
                    mailbox(tokens, i, end, result);
                    i = end < tokens.size() && tokens.get(end).is(',') ? end + 1 : end;
                }
                result.add(new EnvelopeAddress(null, null, null, null));
                i++;
                while (i < tokens.size() && tokens.get(i).is(',')) {
                    i++;
                }
            } else {
                int end = addressEnd(tokens, i, false);
                mailbox(tokens, i, end, result);
                i = end + 1;
            }
        }
        return result;
    }

    /**
     * The text SEARCH FROM/TO/CC/BCC match (RFC 9051 §6.4.4: the envelope's address field):
     * each address as {@code name <local@domain>} with its display name decoded (RFC 2047) and
     * comments dropped, groups as {@code name: members;}, lower-cased; null if {@code raw} is.
     */
    public static String searchText(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (EnvelopeAddress a : parse(raw)) {
            if (a.isGroupEnd()) {
                sb.append(';');
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(", ");
            } else if (sb.length() > 0) {
                sb.append(' ');
            }
            if (a.isGroupStart()) {
                sb.append(EncodedWords.decode(a.mailbox())).append(':');
            } else if (a.name() == null) {
                sb.append(a.mailbox()).append(a.host().isEmpty() ? "" : "@" + a.host());
            } else {
                sb.append(EncodedWords.decode(a.name())).append(" <").append(a.mailbox())
                        .append(a.host().isEmpty() ? "" : "@" + a.host()).append('>');
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The index of the ':' that opens a group starting at {@code from}, or -1. */
    private static int groupColon(List<Token> tokens, int from) {
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is(':')) {
                return i;
            }
            if (t.kind == Kind.SPECIAL && "<,;@".indexOf(t.text.charAt(0)) >= 0) {
                return -1;
            }
        }
        return -1;
    }

    private static int addressEnd(List<Token> tokens, int from, boolean inGroup) {
        boolean inAngle = false;
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is('<')) {
                inAngle = true;
            } else if (t.is('>')) {
                inAngle = false;
            } else if (!inAngle && (t.is(',') || (inGroup && t.is(';')))) {
                return i;
            }
        }
        return tokens.size();
    }

    private static void mailbox(List<Token> tokens, int from, int to, List<EnvelopeAddress> out) {
        int open = -1;
        for (int i = from; i < to; i++) {
            if (tokens.get(i).is('<')) {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            int close = open + 1;
            while (close < to && !tokens.get(close).is('>')) {
                close++;
            }
            String name = phrase(tokens, from, open);
            int specStart = open + 1;
            String route = null;
            if (specStart < close && tokens.get(specStart).is('@')) {
                int colon = specStart;
                while (colon < close && !tokens.get(colon).is(':')) {
                    colon++;
                }
                if (colon < close) {
                    route = join(tokens, specStart, colon, false);
                    specStart = colon + 1;
                }
            }
            if (specStart == close && name == null) {
                return;
            }
            addrSpec(tokens, specStart, close, name, route, out);
        } else {
            String comment = null;
            int end = from;
            for (int i = from; i < to; i++) {
                if (tokens.get(i).kind == Kind.COMMENT) {
                    comment = comment == null ? tokens.get(i).text.strip() : comment;
                } else {
                    end = i + 1;
                }
            }
            if (end > from) {
                addrSpec(tokens, from, end, comment == null || comment.isEmpty() ? null : comment, null, out);
            }
        }
    }

    private static void addrSpec(List<Token> tokens, int from, int to, String name, String route,
                                 List<EnvelopeAddress> out) {
        int at = -1;
        for (int i = to - 1; i >= from; i--) {
            if (tokens.get(i).is('@')) {
                at = i;
                break;
            }
        }
        String local = join(tokens, from, at < 0 ? to : at, false);
        String host = at < 0 ? "" : join(tokens, at + 1, to, false);
        out.add(new EnvelopeAddress(name, route, local, host));
    }

    /** Display-name words joined by single spaces; null if none. */
    private static String phrase(List<Token> tokens, int from, int to) {
        String s = join(tokens, from, to, true);
        return s.isEmpty() ? null : s;
    }

    private static String join(List<Token> tokens, int from, int to, boolean spaced) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            Token t = tokens.get(i);
            if (t.kind == Kind.COMMENT) {
                continue;
            }
            if (spaced && sb.length() > 0 && t.kind != Kind.SPECIAL) {
                sb.append(' ');
            }
            sb.append(t.text);
        }
        return sb.toString();
    }

    private static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        ParameterizedValue.Cursor c = new ParameterizedValue.Cursor(text);
        while (!c.atEnd()) {
            char ch = c.peek();
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
                c.next();
            } else if (ch == '(') {
                tokens.add(new Token(Kind.COMMENT, c.comment()));
            } else if (ch == '"') {
                tokens.add(new Token(Kind.QUOTED, c.quotedString()));
            } else if (ch == '[') {
                StringBuilder sb = new StringBuilder();
                while (!c.atEnd()) {
                    char x = c.next();
                    sb.append(x);
                    if (x == ']') {
                        break;
                    }
                }
                tokens.add(new Token(Kind.WORD, sb.toString()));
            } else if ("<>@,;:".indexOf(ch) >= 0) {
                tokens.add(new Token(Kind.SPECIAL, String.valueOf(c.next())));
            } else {
                StringBuilder sb = new StringBuilder();
                while (!c.atEnd() && " \t\r\n()\"[<>@,;:".indexOf(c.peek()) < 0) {
                    sb.append(c.next());
                }
                tokens.add(new Token(Kind.WORD, sb.toString()));
            }
        }
        return tokens;
    }
}
