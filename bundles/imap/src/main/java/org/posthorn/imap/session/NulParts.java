package org.posthorn.imap.session;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.posthorn.api.mail.MessageSource;
import org.posthorn.imap.protocol.ImapException;

/**
 * Makes an appended message that holds NUL bytes (sent in a literal8, RFC 3516) servable: no
 * FETCH BODY[] literal may contain a NUL (RFC 9051 §4.3), so each leaf part whose body has one
 * and whose transfer encoding is the identity (none, 7bit, 8bit, binary) is stored
 * base64-encoded, as Dovecot does (RFC 3516 §4.4 allows it). BINARY[part] still returns the
 * original bytes. Multipart bodies and embedded messages are walked; all else is copied as it
 * is. A NUL anywhere else (a header, an encoded part) is refused with {@code NO [UNKNOWN-CTE]}.
 */
final class NulParts {

    private static final int MAX_LINE = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary\\s*=\\s*(?:\"([^\"]*)\"|([^;\\s]+))");

    private final BufferedInputStream in;
    private final OutputStream out;
    /** Leaf parts (numbered in order of appearance) to encode. */
    private final Set<Integer> encode;
    /** Leaf parts whose body held a NUL when copied. */
    private final Set<Integer> withNul = new HashSet<>();
    private final byte[] buffer = new byte[MAX_LINE];
    private int leaves;
    private boolean lineStart;
    private boolean nextLineStart = true;

    private NulParts(InputStream in, OutputStream out, Set<Integer> encode) {
        this.in = new BufferedInputStream(in);
        this.out = out;
        this.encode = encode;
    }

    /** True if the message has a NUL byte. */
    static boolean hasNul(MessageSource source) throws IOException {
        try (InputStream in = source.openStream()) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) != -1) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == 0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** Writes the message to {@code target} with its NUL-holding parts base64-encoded. */
    static void encode(MessageSource source, OutputStream target) throws IOException, ImapException {
        NulParts probe;
        try (InputStream in = source.openStream()) {
            probe = new NulParts(in, OutputStream.nullOutputStream(), Set.of());
            probe.entity(List.of());
        }
        NulCheck checked = new NulCheck(target);
        try (InputStream in = source.openStream()) {
            new NulParts(in, checked, probe.withNul).entity(List.of());
        }
        if (checked.seen) {
            throw ImapException.no("UNKNOWN-CTE", "NUL bytes are stored only in body parts without a transfer encoding");
        }
    }

    /** Copies one entity, header and body; returns the boundary line that ended it, or null at the end. */
    private byte[] entity(List<byte[]> boundaries) throws IOException {
        List<byte[]> header = new ArrayList<>();
        byte[] line;
        while ((line = line()) != null && !(lineStart && (Arrays.equals(line, CRLF) || line.length == 1 && line[0] == '\n'))) {
            if (boundaryOf(line, boundaries) >= 0) {
                writeAll(header);
                return line;
            }
            header.add(line);
        }
        String type = field(header, "content-type");
        String media = type == null ? "text/plain" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String encoding = field(header, "content-transfer-encoding");
        encoding = encoding == null ? "7bit" : encoding.strip().toLowerCase(Locale.ROOT);
        if (line == null) {
            writeAll(header);
            return null;
        }
        Matcher boundary = type == null ? null : BOUNDARY.matcher(type);
        if (media.startsWith("multipart/") && boundary.find()) {
            writeAll(header);
            out.write(line);
            String b = boundary.group(1) != null ? boundary.group(1) : boundary.group(2);
            List<byte[]> inner = new ArrayList<>(boundaries);
            inner.add(("--" + b).getBytes(StandardCharsets.ISO_8859_1));
            return multipartBody(inner);
        }
        if (media.equals("message/rfc822") || media.equals("message/global")) {
            writeAll(header);
            out.write(line);
            return entity(boundaries);
        }
        int leaf = leaves++;
        if (encode.contains(leaf) && Set.of("7bit", "8bit", "binary").contains(encoding)) {
            writeAll(withoutField(header, "content-transfer-encoding"));
            out.write("Content-Transfer-Encoding: base64\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(line);
            return base64Body(boundaries);
        }
        writeAll(header);
        out.write(line);
        return copyUntilBoundary(boundaries, leaf);
    }

    /** The body of a multipart whose own delimiter is the last of {@code boundaries}. */
    private byte[] multipartBody(List<byte[]> boundaries) throws IOException {
        int own = boundaries.size() - 1;
        byte[] line = copyUntilBoundary(boundaries, -1);
        while (line != null) {
            if (boundaryOf(line, boundaries) != own) {
                return line;
            }
            out.write(line);
            if (isClose(line, boundaries.get(own))) {
                return copyUntilBoundary(boundaries.subList(0, own), -1);
            }
            line = entity(boundaries);
            if (line == null) {
                return null;
            }
        }
        return null;
    }

    private byte[] copyUntilBoundary(List<byte[]> boundaries, int leaf) throws IOException {
        byte[] line;
        while ((line = line()) != null && boundaryOf(line, boundaries) < 0) {
            out.write(line);
            if (leaf >= 0 && indexOfNul(line) >= 0) {
                withNul.add(leaf);
            }
        }
        return line;
    }

    /** Encodes the body; the line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1). */
    private byte[] base64Body(List<byte[]> boundaries) throws IOException {
        OutputStream encoder = Base64.getMimeEncoder().wrap(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() {
                // the message goes on
            }
        });
        byte[] pending = new byte[0];
        byte[] line;
        while ((line = line()) != null && boundaryOf(line, boundaries) < 0) {
            encoder.write(pending);
            int content = line.length - terminator(line);
            encoder.write(line, 0, content);
            pending = Arrays.copyOfRange(line, content, line.length);
        }
        if (line == null) {
            encoder.write(pending);
        }
        encoder.close();
        out.write(CRLF);
        return line;
    }

    /** The index in {@code boundaries} of the delimiter this line is, or -1. */
    private int boundaryOf(byte[] line, List<byte[]> boundaries) {
        if (!lineStart) {
            return -1;
        }
        for (int i = boundaries.size() - 1; i >= 0; i--) {
            byte[] b = boundaries.get(i);
            if (line.length >= b.length && Arrays.equals(line, 0, b.length, b, 0, b.length)) {
                String rest = new String(line, b.length, line.length - b.length, StandardCharsets.ISO_8859_1).strip();
                if (rest.isEmpty() || rest.equals("--")) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean isClose(byte[] line, byte[] boundary) {
        return line.length >= boundary.length + 2 && line[boundary.length] == '-' && line[boundary.length + 1] == '-';
    }

    /** The unfolded value of the first field {@code name}, or null. */
    private static String field(List<byte[]> header, String name) {
        StringBuilder value = null;
        for (byte[] line : header) {
            String s = new String(line, StandardCharsets.ISO_8859_1);
            if (value != null && (s.startsWith(" ") || s.startsWith("\t"))) {
                value.append(s.strip()).append(' ');
            } else if (value != null) {
                break;
            } else if (s.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                value = new StringBuilder(s.substring(name.length() + 1).strip()).append(' ');
            }
        }
        return value == null ? null : value.toString().strip();
    }

    private static List<byte[]> withoutField(List<byte[]> header, String name) {
        List<byte[]> kept = new ArrayList<>();
        boolean dropping = false;
        for (byte[] line : header) {
            boolean continuation = line[0] == ' ' || line[0] == '\t';
            if (!continuation) {
                dropping = new String(line, StandardCharsets.ISO_8859_1).regionMatches(true, 0, name + ":", 0,
                        name.length() + 1);
            }
            if (!dropping) {
                kept.add(line);
            }
        }
        return kept;
    }

    private void writeAll(List<byte[]> lines) throws IOException {
        for (byte[] line : lines) {
            out.write(line);
        }
    }

    private static int terminator(byte[] line) {
        int n = line.length;
        if (n > 0 && line[n - 1] == '\n') {
            return n > 1 && line[n - 2] == '\r' ? 2 : 1;
        }
        return 0;
    }

    private static int indexOfNul(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The next line with its line break, at most {@value #MAX_LINE} bytes of it; null at the end. */
    private byte[] line() throws IOException {
        lineStart = nextLineStart;
        int n = 0;
        int b;
        while (n < MAX_LINE && (b = in.read()) != -1) {
            buffer[n++] = (byte) b;
            if (b == '\n') {
                break;
            }
        }
        if (n == 0) {
            return null;
        }
        nextLineStart = buffer[n - 1] == '\n';
        return Arrays.copyOf(buffer, n);
    }

    /** Notes whether a NUL passes through. */
    private static final class NulCheck extends FilterOutputStream {
        boolean seen;

        NulCheck(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            seen |= b == 0;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len && !seen; i++) {
                seen = b[i] == 0;
            }
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the caller owns the target
        }
    }
}
