package org.posthorn.sieve.manage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.posthorn.net.Connection;
import org.posthorn.net.Line;

/**
 * One ManageSieve command (RFC 5804 §4): the command name and its string and number
 * arguments. Strings are quoted, or literals {@code {n+}} / {@code {n}} followed by n octets,
 * after which the command goes on in the next line.
 */
record CommandLine(String name, List<Object> arguments) {

    /** A command the client got wrong; the session answers NO with the text and reads on. */
    static final class BadCommand extends Exception {
        private static final long serialVersionUID = 1L;
        /** True if the input is out of step and the connection must be closed (BYE). */
        final boolean fatal;

        BadCommand(String message, boolean fatal) {
            super(message, null, false, false);
            this.fatal = fatal;
        }
    }

    /**
     * Reads a command starting with {@code first}, and the literals and lines it continues with.
     *
     * @param maxLiteral the largest literal accepted; a larger one is skipped and refused
     */
    static CommandLine read(Line first, Connection connection, int maxLiteral) throws IOException, BadCommand {
        String text = first.text();
        int at = 0;
        while (at < text.length() && isAtomChar(text.charAt(at))) {
            at++;
        }
        String name = text.substring(0, at).toUpperCase(Locale.ROOT);
        if (name.isEmpty()) {
            throw new BadCommand("Expected a command", false);
        }
        List<Object> arguments = new ArrayList<>();
        while (true) {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
            if (at >= text.length()) {
                return new CommandLine(name, arguments);
            }
            char c = text.charAt(at);
            if (c == '"') {
                StringBuilder value = new StringBuilder();
                at++;
                while (true) {
                    if (at >= text.length()) {
                        throw new BadCommand("Unterminated quoted string", false);
                    }
                    char q = text.charAt(at++);
                    if (q == '"') {
                        break;
                    }
                    if (q == '\\' && at < text.length()) {
                        q = text.charAt(at++);
                    }
                    value.append(q);
                }
                arguments.add(value.toString());
            } else if (c == '{') {
                int close = text.indexOf('}', at);
                if (close != text.length() - 1) {
                    throw new BadCommand("A literal {n} or {n+} must end the line", false);
                }
                String count = text.substring(at + 1, close);
                count = count.endsWith("+") ? count.substring(0, count.length() - 1) : count;
                long length;
                try {
                    length = Long.parseLong(count);
                } catch (NumberFormatException e) {
                    throw new BadCommand("Bad literal length", true);
                }
                if (length < 0) {
                    throw new BadCommand("Bad literal length", true);
                }
                byte[] literal = null;
                try (InputStream in = connection.readCounted(length)) {
                    // a literal too large is skipped (by closing), so the next command is read in step
                    if (length <= maxLiteral) {
                        literal = in.readAllBytes();
                    }
                }
                text = connection.readLine().text();
                at = 0;
                if (literal == null) {
                    throw new BadCommand("(QUOTA/MAXSIZE) Literal larger than " + maxLiteral + " octets", false);
                }
                arguments.add(utf8(literal));
            } else if (Character.isDigit(c)) {
                int start = at;
                while (at < text.length() && Character.isDigit(text.charAt(at))) {
                    at++;
                }
                try {
                    arguments.add(Long.parseLong(text.substring(start, at)));
                } catch (NumberFormatException e) {
                    throw new BadCommand("Number too large", false);
                }
            } else {
                throw new BadCommand("Unexpected character '" + c + "' in the arguments", false);
            }
        }
    }

    private static boolean isAtomChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static String utf8(byte[] bytes) throws BadCommand {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadCommand("Strings must be UTF-8", false);
        }
    }

    /** The {@code i}-th argument as a string. */
    String string(int i) throws BadCommand {
        if (i >= arguments.size() || !(arguments.get(i) instanceof String s)) {
            throw new BadCommand(name + " needs a string as argument " + (i + 1), false);
        }
        return s;
    }

    /** The {@code i}-th argument as a number. */
    long number(int i) throws BadCommand {
        if (i >= arguments.size() || !(arguments.get(i) instanceof Long n)) {
            throw new BadCommand(name + " needs a number as argument " + (i + 1), false);
        }
        return n;
    }

    void expect(int count) throws BadCommand {
        if (arguments.size() != count) {
            throw new BadCommand(name + " takes " + count + " argument(s)", false);
        }
    }

    /** A string as the server sends it: quoted if short and plain, else a literal {n}. */
    static String quote(String value) {
        if (value.length() < 1024 && value.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return "{" + value.getBytes(StandardCharsets.UTF_8).length + "}\r\n" + value;
    }
}
