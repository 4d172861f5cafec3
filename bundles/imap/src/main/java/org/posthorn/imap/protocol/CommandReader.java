package org.posthorn.imap.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the arguments of one command (RFC 9051 §9) from its first line and, when a literal
 * ends a line, from the literal and the lines after it. The reader asks its {@link Input}
 * for literals as it meets them, so a command's arguments are read in order and at most
 * {@code maxSize} bytes of command (lines and string literals) are ever held. A message
 * literal (APPEND) is not read here: {@link #messageLiteral()} only parses its announcement.
 */
public final class CommandReader {

    /** Where literals and the lines after them come from: the connection. */
    public interface Input {
        /**
         * Reads a literal of {@code length} bytes, after sending the continuation request if it
         * is a synchronizing one.
         */
        byte[] literal(long length, boolean synchronizing) throws IOException;

        /** Reads and drops a literal the client sends without waiting ({@code {n+}}). */
        void skip(long length) throws IOException;

        /** The next line (after a literal). */
        byte[] line() throws IOException;
    }

    /** A literal's announcement: {@code {n}}, {@code {n+}}, or {@code ~{n}} (RFC 3516 literal8). */
    public record Literal(long length, boolean synchronizing, boolean binary) {
    }

    private final Input input;
    private final long maxSize;
    private long size;
    private byte[] line;
    private int pos;

    /**
     * @param first   the command's first line, without CR LF
     * @param input   literals and further lines
     * @param maxSize the most bytes of lines and string literals one command may have
     */
    public CommandReader(byte[] first, Input input, long maxSize) {
        this.line = first;
        this.input = input;
        this.maxSize = maxSize;
        this.size = first.length;
    }

    // ---- characters

    /** RFC 9051 ATOM-CHAR. */
    public static boolean isAtomChar(int c) {
        return c > 0x20 && c < 0x7f && "(){%*\"\\]".indexOf(c) < 0;
    }

    private static boolean isAstringChar(int c) {
        return isAtomChar(c) || c == ']';
    }

    private static boolean isListChar(int c) {
        return isAtomChar(c) || c == '%' || c == '*' || c == ']';
    }

    /** The next byte without consuming it, or -1 at the end of the line. */
    public int peek() {
        return pos < line.length ? line[pos] & 0xff : -1;
    }

    /** {@code true} if the next characters are {@code text}, compared case-insensitively (ASCII). */
    public boolean peekIgnoreCase(String text) {
        if (pos + text.length() > line.length) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.toUpperCase((char) (line[pos + i] & 0xff)) != Character.toUpperCase(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public boolean atEnd() {
        return pos >= line.length;
    }

    /** Consumes {@code c} if it comes next. */
    public boolean consume(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    public void expect(char c) throws ImapException {
        if (!consume(c)) {
            throw ImapException.bad(atEnd() ? "Missing '" + c + "'" : "Expected '" + c + "' at \"" + context() + "\"");
        }
    }

    public void sp() throws ImapException {
        if (!consume(' ')) {
            throw ImapException.bad(atEnd() ? "Missing arguments" : "Expected a space at \"" + context() + "\"");
        }
    }

    /** The command must end here. */
    public void end() throws ImapException {
        if (!atEnd()) {
            throw ImapException.bad("Unexpected arguments at \"" + context() + "\"");
        }
    }

    /** A few characters from the current position, for error texts. */
    private String context() {
        int end = Math.min(line.length, pos + 20);
        StringBuilder sb = new StringBuilder();
        for (int i = pos; i < end; i++) {
            int c = line[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '"' ? (char) c : '?');
        }
        return sb.toString();
    }

    // ---- tokens

    /** A tag: ASTRING-CHARs except {@code +}. */
    public String tag() throws ImapException {
        int start = pos;
        while (pos < line.length && isAstringChar(line[pos] & 0xff) && line[pos] != '+') {
            pos++;
        }
        if (pos == start) {
            throw ImapException.bad("Invalid tag");
        }
        return ascii(start, pos);
    }

    /** An atom. */
    public String atom() throws ImapException {
        int start = pos;
        while (pos < line.length && isAtomChar(line[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            throw ImapException.bad(atEnd() ? "Missing arguments" : "Expected an atom at \"" + context() + "\"");
        }
        return ascii(start, pos);
    }

    /** An atom in upper case (command names, keywords of the grammar). */
    public String keyword() throws ImapException {
        return atom().toUpperCase(Locale.ROOT);
    }

    /** Characters up to the next space or the end: a SASL response or a raw token. */
    public String token() throws ImapException {
        int start = pos;
        while (pos < line.length && line[pos] != ' ') {
            pos++;
        }
        if (pos == start) {
            throw ImapException.bad("Missing arguments");
        }
        return ascii(start, pos);
    }

    private String ascii(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Atom characters up to (not including) any of {@code stops}: a FETCH attribute name before {@code [}. */
    public String word(String stops) throws ImapException {
        int start = pos;
        while (pos < line.length && isAtomChar(line[pos] & 0xff) && stops.indexOf(line[pos]) < 0) {
            pos++;
        }
        if (pos == start) {
            throw ImapException.bad(atEnd() ? "Missing arguments" : "Unexpected \"" + context() + "\"");
        }
        return ascii(start, pos).toUpperCase(Locale.ROOT);
    }

    /** A number (RFC 9051 number64). */
    public long number() throws ImapException {
        int start = pos;
        long value = 0;
        while (pos < line.length && line[pos] >= '0' && line[pos] <= '9') {
            if (value > (Long.MAX_VALUE - 9) / 10) {
                throw ImapException.bad("Number too large");
            }
            value = value * 10 + (line[pos] - '0');
            pos++;
        }
        if (pos == start) {
            throw ImapException.bad(atEnd() ? "Missing number" : "Expected a number at \"" + context() + "\"");
        }
        return value;
    }

    /** A number greater than zero. */
    public long nzNumber() throws ImapException {
        long value = number();
        if (value == 0) {
            throw ImapException.bad("Zero is not allowed here");
        }
        return value;
    }

    /** An astring: an atom (which may contain {@code ]}) or a string. */
    public String astring() throws ImapException, IOException {
        if (atString()) {
            return string();
        }
        int start = pos;
        while (pos < line.length && isAstringChar(line[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            throw ImapException.bad(atEnd() ? "Missing arguments" : "Expected a string at \"" + context() + "\"");
        }
        return ascii(start, pos);
    }

    /** True if a quoted string or a literal begins here; {@code ~} alone is an atom char, {@code ~{} a literal8. */
    private boolean atString() {
        int c = peek();
        return c == '"' || c == '{' || c == '~' && pos + 1 < line.length && line[pos + 1] == '{';
    }

    /** A string, or {@code null} for NIL. */
    public String nstring() throws ImapException, IOException {
        if (peekIgnoreCase("NIL") && !isAtomChar(pos + 3 < line.length ? line[pos + 3] & 0xff : ' ')) {
            pos += 3;
            return null;
        }
        return string();
    }

    /** A quoted string or a literal, as UTF-8 text. */
    public String string() throws ImapException, IOException {
        return new String(stringBytes(), StandardCharsets.UTF_8);
    }

    /** A quoted string or a literal, as bytes. */
    public byte[] stringBytes() throws ImapException, IOException {
        if (consume('"')) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (pos >= line.length) {
                    throw ImapException.bad("Unterminated quoted string");
                }
                int c = line[pos++] & 0xff;
                if (c == '"') {
                    return out.toByteArray();
                }
                if (c == '\\') {
                    int next = peek();
                    if (next != '"' && next != '\\') {
                        throw ImapException.bad("Invalid escape in a quoted string");
                    }
                    c = next;
                    pos++;
                } else if (c == 0) {
                    throw ImapException.bad("NUL in a quoted string");
                }
                out.write(c);
            }
        }
        Literal literal = literalAnnouncement();
        if (literal.binary()) {
            throw ImapException.bad("literal8 is not allowed here");
        }
        if (size + literal.length() > maxSize) {
            throw ImapException.bad("TOOBIG", "Command too long");
        }
        size += literal.length();
        byte[] bytes = input.literal(literal.length(), literal.synchronizing());
        nextLine();
        return bytes;
    }

    /**
     * The announcement of a message literal that ends the current line (APPEND). The caller
     * reads the literal itself and then calls {@link #nextLine()}.
     */
    public Literal messageLiteral() throws ImapException {
        return literalAnnouncement();
    }

    private Literal literalAnnouncement() throws ImapException {
        int start = pos;
        boolean binary = consume('~');
        if (!consume('{')) {
            pos = start;
            throw ImapException.bad(atEnd() ? "Missing arguments" : "Expected a string at \"" + context() + "\"");
        }
        long length = number();
        boolean synchronizing = !consume('+');
        expect('}');
        if (!atEnd()) {
            throw ImapException.bad("A literal must end the line");
        }
        return new Literal(length, synchronizing, binary);
    }

    /** Continues with the line that follows a literal. */
    public void nextLine() throws IOException, ImapException {
        line = input.line();
        pos = 0;
        size += line.length;
        if (size > maxSize) {
            throw ImapException.bad("TOOBIG", "Command too long");
        }
    }

    /**
     * Reads and drops the rest of a command that failed: non-synchronizing literals the client
     * sends regardless, and the lines after them, so they are not taken for commands. A
     * synchronizing literal is not sent by the client without our continuation request.
     */
    public void discardRest() throws IOException {
        while (true) {
            Literal trailing = trailingLiteral(line);
            if (trailing == null || trailing.synchronizing()) {
                return;
            }
            input.skip(trailing.length());
            line = input.line();
            pos = 0;
        }
    }

    /** The literal announced at the end of {@code line}, or null. */
    public static Literal trailingLiteral(byte[] line) {
        int end = line.length;
        if (end < 3 || line[end - 1] != '}') {
            return null;
        }
        int i = end - 2;
        boolean synchronizing = true;
        if (line[i] == '+') {
            synchronizing = false;
            i--;
        }
        int digitsEnd = i + 1;
        while (i >= 0 && line[i] >= '0' && line[i] <= '9') {
            i--;
        }
        if (i < 0 || line[i] != '{' || i + 1 == digitsEnd || digitsEnd - i - 1 > 18) {
            return null;
        }
        long length = Long.parseLong(new String(line, i + 1, digitsEnd - i - 1, StandardCharsets.US_ASCII));
        return new Literal(length, synchronizing, i > 0 && line[i - 1] == '~');
    }

    // ---- composite arguments

    /**
     * A mailbox name, decoded: modified UTF-7 (RFC 3501 §5.1.3) unless the client enabled
     * UTF8=ACCEPT (RFC 6855), when names are UTF-8 as they are.
     */
    public String mailbox(boolean utf8) throws ImapException, IOException {
        return decodeMailbox(astring(), utf8);
    }

    /** A list-mailbox (LIST pattern): list-chars including wildcards, or a string; decoded like {@link #mailbox}. */
    public String listMailbox(boolean utf8) throws ImapException, IOException {
        String pattern;
        if (atString()) {
            pattern = string();
        } else {
            int start = pos;
            while (pos < line.length && isListChar(line[pos] & 0xff)) {
                pos++;
            }
            if (pos == start) {
                throw ImapException.bad("Expected a mailbox pattern");
            }
            pattern = ascii(start, pos);
        }
        try {
            return decodeMailbox(pattern, utf8);
        } catch (ImapException e) {
            // a pattern that is no valid name matches nothing, which is no error (imaptest "atoms")
            return pattern;
        }
    }

    static String decodeMailbox(String raw, boolean utf8) throws ImapException {
        if (utf8 || !raw.chars().allMatch(ch -> ch < 0x80)) {
            return raw;
        }
        try {
            return ModifiedUtf7.decode(raw);
        } catch (IllegalArgumentException e) {
            throw ImapException.no("CANNOT", "Mailbox name is not valid modified UTF-7: " + e.getMessage());
        }
    }

    /** A sequence set (RFC 9051 {@code sequence-set}), or {@code $} (RFC 5182). */
    public SequenceSet sequenceSet() throws ImapException {
        if (consume('$')) {
            if (!atEnd() && peek() != ' ' && peek() != ')') {
                throw ImapException.bad("$ stands alone as a sequence set");
            }
            return SequenceSet.SAVED;
        }
        List<SequenceSet.Range> ranges = new ArrayList<>();
        do {
            long first = seqNumber();
            long last = first;
            if (consume(':')) {
                last = seqNumber();
            }
            ranges.add(new SequenceSet.Range(first, last));
        } while (consume(','));
        if (!atEnd() && peek() != ' ' && peek() != ')') {
            throw ImapException.bad("Invalid sequence set at \"" + context() + "\"");
        }
        return new SequenceSet(ranges);
    }

    private long seqNumber() throws ImapException {
        if (consume('*')) {
            return SequenceSet.STAR;
        }
        if (peek() < '0' || peek() > '9') {
            throw ImapException.bad("Invalid sequence set at \"" + context() + "\"");
        }
        long n = number();
        if (n == 0 || n > 0xffffffffL) {
            throw ImapException.bad("Invalid sequence number " + n);
        }
        return n;
    }

    /** {@code true} if the next token is a sequence set (starts with a digit or {@code *}). */
    public boolean atSequenceSet() {
        int c = peek();
        return (c >= '0' && c <= '9') || c == '*' || c == '$';
    }

    /**
     * A parenthesised flag list, e.g. {@code (\Seen $Forwarded)}; system flags are spelled as
     * RFC 9051 does ({@code \Seen}), keywords as written. {@code \Recent} is refused: no client can set it.
     */
    public Set<String> flagList() throws ImapException {
        expect('(');
        Set<String> flags = new LinkedHashSet<>();
        if (consume(')')) {
            return flags;
        }
        do {
            flags.add(flag());
        } while (consume(' '));
        expect(')');
        return flags;
    }

    /** One flag: a system flag or a keyword. */
    public String flag() throws ImapException {
        if (consume('\\')) {
            String name = atom();
            for (String system : Flags.SYSTEM) {
                if (system.substring(1).equalsIgnoreCase(name)) {
                    return system;
                }
            }
            if (name.equalsIgnoreCase("Recent")) {
                throw ImapException.bad("\\Recent cannot be set");
            }
            throw ImapException.bad("Unknown system flag \\" + name);
        }
        return atom();
    }

    /** The system flags, spelled as RFC 9051 does. */
    public static final class Flags {
        public static final String SEEN = "\\Seen";
        public static final String ANSWERED = "\\Answered";
        public static final String FLAGGED = "\\Flagged";
        public static final String DELETED = "\\Deleted";
        public static final String DRAFT = "\\Draft";
        public static final List<String> SYSTEM = List.of(ANSWERED, FLAGGED, DELETED, SEEN, DRAFT);

        private Flags() {
        }
    }
}
