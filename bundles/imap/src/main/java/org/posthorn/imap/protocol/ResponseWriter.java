package org.posthorn.imap.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.posthorn.net.Connection;

/**
 * Builds server responses (RFC 9051 §7) and hands them to the connection. Every string a
 * client or a message supplied goes through {@link #string}, which picks the quoted form when
 * it is safe and a literal otherwise (CR, LF, NUL, 8-bit text before UTF8=ACCEPT, long
 * values), so no value can break a response. Human-readable text has CR and LF replaced.
 * Message content is streamed as literals ({@link #literal(InputStream, long, boolean)}).
 * Not thread-safe: used on the connection's thread.
 */
public final class ResponseWriter {

    private static final int QUOTED_MAX = 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private final Connection connection;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private boolean utf8;

    public ResponseWriter(Connection connection) {
        this.connection = connection;
    }

    /** From now on 8-bit text may be sent quoted and mailbox names are sent as UTF-8 (RFC 6855). */
    public void utf8(boolean enabled) {
        utf8 = enabled;
    }

    public boolean utf8() {
        return utf8;
    }

    // ---- pieces of a response line

    /** Protocol text written as it is (atoms, parentheses, numbers). */
    public ResponseWriter raw(String text) {
        buffer.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public ResponseWriter sp() {
        buffer.write(' ');
        return this;
    }

    public ResponseWriter number(long n) {
        return raw(Long.toString(n));
    }

    /** A quoted string or, where quoting cannot carry the value, a literal. */
    public ResponseWriter string(String value) {
        if (quotable(value)) {
            buffer.write('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    buffer.write('\\');
                }
                if (c < 0x80) {
                    buffer.write(c);
                } else {
                    int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                    buffer.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
                    i = end - 1;
                }
            }
            buffer.write('"');
            return this;
        }
        return literal(value.getBytes(StandardCharsets.UTF_8));
    }

    private boolean quotable(String value) {
        if (value.length() > QUOTED_MAX) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || (c >= 0x80 && !utf8)) {
                return false;
            }
        }
        return true;
    }

    /** A string, or NIL for null. */
    public ResponseWriter nstring(String value) {
        return value == null ? raw("NIL") : string(value);
    }

    /** An atom where the value is one, else a string (for mailbox names, flags, ID values). */
    public ResponseWriter astring(String value) {
        if (!value.isEmpty() && value.length() <= QUOTED_MAX
                && value.chars().allMatch(c -> CommandReader.isAtomChar(c) || c == ']')) {
            return raw(value);
        }
        return string(value);
    }

    /** A mailbox name as the client expects it: modified UTF-7, or UTF-8 after UTF8=ACCEPT. */
    public ResponseWriter mailbox(String name) {
        return astring(utf8 ? name : ModifiedUtf7.encode(name));
    }

    /** A parenthesised list of flags. */
    public ResponseWriter flags(Collection<String> flags) {
        buffer.write('(');
        boolean first = true;
        for (String flag : flags) {
            if (!first) {
                buffer.write(' ');
            }
            raw(flag);
            first = false;
        }
        buffer.write(')');
        return this;
    }

    /** A literal holding {@code bytes}. */
    public ResponseWriter literal(byte[] bytes) {
        raw("{" + bytes.length + "}");
        buffer.writeBytes(CRLF);
        buffer.writeBytes(bytes);
        return this;
    }

    /**
     * A literal of exactly {@code length} bytes copied from {@code in} without holding them;
     * {@code binary} sends the RFC 3516 {@code ~{n}} form. If {@code in} ends early, the
     * response could not be completed and the connection is useless: this throws.
     */
    public ResponseWriter literal(InputStream in, long length, boolean binary) throws IOException {
        raw((binary ? "~{" : "{") + length + "}");
        buffer.writeBytes(CRLF);
        if (length <= 8192) {
            byte[] bytes = in.readNBytes((int) length);
            checkLength(bytes.length, length);
            buffer.writeBytes(bytes);
            return this;
        }
        writeBuffer();
        long copied = connection.write(new BoundedStream(in, length));
        checkLength(copied, length);
        return this;
    }

    private static void checkLength(long actual, long announced) throws IOException {
        if (actual != announced) {
            throw new IOException("message content ended after " + actual + " of " + announced + " bytes");
        }
    }

    /** Ends the response line and hands it to the connection. */
    public void endLine() throws IOException {
        buffer.writeBytes(CRLF);
        writeBuffer();
    }

    private void writeBuffer() throws IOException {
        if (buffer.size() > 0) {
            connection.write(buffer.toByteArray());
            buffer.reset();
        }
    }

    // ---- whole responses

    /** {@code * text}. */
    public void untagged(String text) throws IOException {
        raw("* ").raw(clean(text)).endLine();
    }

    /** {@code tag status [code] text}; the code may be null. */
    public void tagged(String tag, String status, String code, String text) throws IOException {
        raw(tag).sp().raw(status).sp();
        if (code != null) {
            raw("[").raw(clean(code)).raw("] ");
        }
        raw(clean(text)).endLine();
    }

    /** A continuation request {@code + text}. */
    public void continuation(String text) throws IOException {
        raw("+ ").raw(clean(text)).endLine();
        connection.flush();
    }

    /** Human-readable text with line breaks and NULs replaced, so it stays one line. */
    public static String clean(String text) {
        return text.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
    }

    /** A stream that yields at most {@code limit} bytes of another. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(bytes, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
