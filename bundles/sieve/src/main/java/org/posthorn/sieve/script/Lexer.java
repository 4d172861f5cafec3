package org.posthorn.sieve.script;

import java.util.ArrayList;
import java.util.List;

/** Splits a script into tokens (RFC 5228 §8.1): identifiers, tags, numbers, strings and punctuation. */
final class Lexer {

    enum Kind { IDENTIFIER, TAG, NUMBER, STRING, PUNCTUATION, END }

    record Token(Kind kind, String text, long number, int line) {
        boolean is(String punctuation) {
            return kind == Kind.PUNCTUATION && text.equals(punctuation);
        }
    }

    private final String text;
    private int at;
    private int line = 1;

    private Lexer(String text) {
        this.text = text;
    }

    static List<Token> tokens(String script) throws ScriptException {
        Lexer lexer = new Lexer(script);
        List<Token> tokens = new ArrayList<>();
        Token t;
        do {
            t = lexer.next();
            tokens.add(t);
        } while (t.kind() != Kind.END);
        return tokens;
    }

    private Token next() throws ScriptException {
        skipWhiteSpaceAndComments();
        if (at >= text.length()) {
            return new Token(Kind.END, "end of script", 0, line);
        }
        char c = text.charAt(at);
        if ("[](){},;".indexOf(c) >= 0) {
            at++;
            return new Token(Kind.PUNCTUATION, String.valueOf(c), 0, line);
        }
        if (c == '"') {
            return quoted();
        }
        if (c == ':') {
            at++;
            String name = identifier();
            if (name.isEmpty()) {
                throw new ScriptException(line, "a tag needs a name after ':'");
            }
            return new Token(Kind.TAG, name, 0, line);
        }
        if (Character.isDigit(c)) {
            return number();
        }
        if (isIdentifierStart(c)) {
            String name = identifier();
            if (name.equalsIgnoreCase("text") && at < text.length() && text.charAt(at) == ':') {
                at++;
                return multiLine();
            }
            return new Token(Kind.IDENTIFIER, name, 0, line);
        }
        throw new ScriptException(line, "unexpected character '" + c + "'");
    }

    private void skipWhiteSpaceAndComments() throws ScriptException {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '\n') {
                line++;
                at++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                at++;
            } else if (c == '#') {
                while (at < text.length() && text.charAt(at) != '\n') {
                    at++;
                }
            } else if (text.startsWith("/*", at)) {
                int end = text.indexOf("*/", at + 2);
                if (end < 0) {
                    throw new ScriptException(line, "a /* comment is not closed");
                }
                line += count(text.substring(at, end), '\n');
                at = end + 2;
            } else {
                return;
            }
        }
    }

    private static boolean isIdentifierStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private String identifier() {
        int start = at;
        while (at < text.length() && (isIdentifierStart(text.charAt(at)) || Character.isDigit(text.charAt(at)))) {
            at++;
        }
        return text.substring(start, at);
    }

    private Token number() throws ScriptException {
        int start = at;
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            at++;
        }
        long value;
        try {
            value = Long.parseLong(text.substring(start, at));
        } catch (NumberFormatException e) {
            throw new ScriptException(line, "number too large");
        }
        if (at < text.length()) {
            // RFC 5228 §2.4.1: quantifiers K, M and G (case-insensitive)
            int shift = switch (Character.toUpperCase(text.charAt(at))) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                default -> 0;
            };
            if (shift > 0) {
                at++;
                if (value > (Long.MAX_VALUE >> shift)) {
                    throw new ScriptException(line, "number too large");
                }
                value <<= shift;
            }
        }
        return new Token(Kind.NUMBER, text.substring(start, at), value, line);
    }

    /** RFC 5228 §2.4.2: only \" and \\ are escapes; a backslash before anything else is dropped. */
    private Token quoted() throws ScriptException {
        int startLine = line;
        StringBuilder value = new StringBuilder();
        at++;
        while (true) {
            if (at >= text.length()) {
                throw new ScriptException(startLine, "a quoted string is not closed");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return new Token(Kind.STRING, value.toString(), 0, startLine);
            }
            if (c == '\\' && at < text.length()) {
                c = text.charAt(at++);
            }
            if (c == '\n') {
                line++;
            }
            value.append(c);
        }
    }

    /** RFC 5228 §2.4.2: "text:" to a line holding only ".", with leading ".." unstuffed. */
    private Token multiLine() throws ScriptException {
        int startLine = line;
        while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
        if (at < text.length() && text.charAt(at) == '#') {
            while (at < text.length() && text.charAt(at) != '\n') {
                at++;
            }
        }
        if (at < text.length() && text.charAt(at) == '\r') {
            at++;
        }
        if (at >= text.length() || text.charAt(at) != '\n') {
            throw new ScriptException(line, "text: must be followed by a line break");
        }
        at++;
        line++;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw new ScriptException(startLine, "a text: block is not ended by a line with a single '.'");
            }
            int end = text.indexOf('\n', at);
            String raw = end < 0 ? text.substring(at) : text.substring(at, end);
            at = end < 0 ? text.length() : end + 1;
            line++;
            String content = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (content.equals(".")) {
                return new Token(Kind.STRING, value.toString(), 0, startLine);
            }
            value.append(content.startsWith("..") ? content.substring(1) : content).append("\r\n");
        }
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }
}
