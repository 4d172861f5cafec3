package org.posthorn.filters.mime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Walks the MIME structure of a message in one pass over its bytes, without keeping the message:
 * every part's header goes to {@link Handler#part}, and the text of {@code text/*} parts, with
 * the transfer encoding and charset undone, goes line by line to {@link Handler#text}. Nested
 * multiparts and attached messages ({@code message/rfc822}) are followed. Malformed structure is
 * read as well as it goes (a missing end boundary ends the part at the end of the message);
 * lines are cut every {@value #MAX_LINE} bytes so a message without line breaks cannot exhaust memory.
 */
public final class MimeScanner {

    /** What the scanner reports. */
    public interface Handler {
        /** A part starts (the message itself first). */
        void part(MimePart part);

        /** One decoded line of a text part's content, without the line break. */
        default void text(MimePart part, String line) {
        }

        /** Whether to stop early (say, once a rule matched). */
        default boolean done() {
            return false;
        }
    }

    static final int MAX_LINE = 16 * 1024;

    private final long textLimit;

    /** @param textLimit at most this many bytes of text content are decoded and reported; the structure is always walked */
    public MimeScanner(long textLimit) {
        this.textLimit = textLimit;
    }

    /** Reads {@code message} through a buffer of its own: the scanner takes one byte at a time. */
    public void scan(InputStream message, Handler handler) throws IOException {
        new Run(new BufferedInputStream(message, 64 * 1024), handler).scan();
    }

    private final class Run {
        private final InputStream in;
        private final Handler handler;
        private final byte[] line = new byte[MAX_LINE];
        private final Deque<String> boundaries = new ArrayDeque<>();
        private long textLeft = textLimit;
        private int lineLength;
        private boolean lineEnded;
        private int pending = -1;

        Run(InputStream in, Handler handler) {
            this.in = in;
            this.handler = handler;
        }

        void scan() throws IOException {
            MimePart part = readHeader();
            Body body = startPart(part);
            while (!handler.done() && readLine()) {
                String text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
                String boundary = boundaryOf(text);
                if (boundary == null) {
                    if (body != null) {
                        body.line(text, lineEnded);
                    }
                    continue;
                }
                if (body != null) {
                    body.end();
                }
                body = null;
                while (!boundaries.peek().equals(boundary)) {
                    boundaries.pop();
                }
                if (text.startsWith("--" + boundary + "--")) {
                    boundaries.pop();
                } else {
                    body = startPart(readHeader());
                }
            }
            if (body != null) {
                body.end();
            }
        }

        /** Reports the part; pushes its boundary or, for an attached message, reads that one's header too. */
        private Body startPart(MimePart part) throws IOException {
            handler.part(part);
            if (part.isMultipart()) {
                boundaries.push(part.contentTypeParams().get("boundary"));
                return null;
            }
            if (part.contentType().equals("message/rfc822")) {
                return startPart(readHeader());
            }
            return part.isText() ? new Body(part) : null;
        }

        /** The boundary this line opens or closes, innermost first (RFC 2046 §5.1.1), or null. */
        private String boundaryOf(String text) {
            if (!text.startsWith("--") || boundaries.isEmpty()) {
                return null;
            }
            for (String boundary : boundaries) {
                if (text.startsWith(boundary, 2) && text.substring(2 + boundary.length()).replace("--", "").isBlank()) {
                    return boundary;
                }
            }
            return null;
        }

        private MimePart readHeader() throws IOException {
            Map<String, String> fields = new LinkedHashMap<>();
            String name = null;
            while (readLine() && lineLength > 0) {
                String text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
                if ((text.charAt(0) == ' ' || text.charAt(0) == '\t') && name != null) {
                    fields.merge(name, text.strip(), (a, b) -> a + " " + b);
                    continue;
                }
                int colon = text.indexOf(':');
                name = colon > 0 ? text.substring(0, colon).strip().toLowerCase(Locale.ROOT) : null;
                if (name != null) {
                    fields.putIfAbsent(name, text.substring(colon + 1).strip());
                }
            }
            String type = fields.getOrDefault("content-type", "text/plain");
            String disposition = fields.getOrDefault("content-disposition", "");
            String encoding = HeaderValues.mainValue(fields.getOrDefault("content-transfer-encoding", "7bit"));
            String mainType = HeaderValues.mainValue(type);
            return new MimePart(mainType.contains("/") ? mainType : "text/plain", HeaderValues.parameters(type),
                    HeaderValues.mainValue(disposition), HeaderValues.parameters(disposition), encoding);
        }

        /** Reads the next line into {@link #line}, without CR LF; false at the end of the message. */
        private boolean readLine() throws IOException {
            lineLength = 0;
            lineEnded = false;
            int b = pending >= 0 ? pending : in.read();
            pending = -1;
            if (b < 0) {
                return false;
            }
            while (b >= 0 && b != '\n') {
                if (lineLength == MAX_LINE) {
                    pending = b;
                    return true;
                }
                line[lineLength++] = (byte) b;
                b = in.read();
            }
            lineEnded = true;
            if (lineLength > 0 && line[lineLength - 1] == '\r') {
                lineLength--;
            }
            return true;
        }

        /** The content of one text part, decoded as it arrives and reported line by line. */
        private final class Body {
            private final MimePart part;
            private final ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            private final StringBuilder base64 = new StringBuilder();

            Body(MimePart part) {
                this.part = part;
            }

            void line(String raw, boolean ended) {
                if (textLeft <= 0) {
                    return;
                }
                textLeft -= raw.length();
                switch (part.transferEncoding()) {
                    case "base64" -> base64.append(raw.strip());
                    case "quoted-printable" -> quotedPrintable(raw, ended);
                    default -> {
                        decoded.writeBytes(raw.getBytes(StandardCharsets.ISO_8859_1));
                        if (ended) {
                            flush();
                        }
                    }
                }
            }

            /** RFC 2045 §6.7: {@code =XX} is a byte, {@code =} at the end of a line joins it to the next. */
            private void quotedPrintable(String raw, boolean ended) {
                String text = raw.stripTrailing();
                boolean soft = text.endsWith("=");
                for (int i = 0; i < text.length() - (soft ? 1 : 0); i++) {
                    char c = text.charAt(i);
                    if (c == '=' && i + 2 < text.length() && HeaderValues.hex(text.charAt(i + 1)) >= 0
                            && HeaderValues.hex(text.charAt(i + 2)) >= 0) {
                        decoded.write(HeaderValues.hex(text.charAt(i + 1)) * 16 + HeaderValues.hex(text.charAt(i + 2)));
                        i += 2;
                    } else {
                        decoded.write(c);
                    }
                }
                if (ended && !soft) {
                    flush();
                }
            }

            void end() {
                if (base64.length() > 0) {
                    try {
                        decoded.writeBytes(Base64.getMimeDecoder().decode(base64.toString()));
                    } catch (IllegalArgumentException e) {
                        // broken base64 is not text anyone reads; nothing to match
                        decoded.reset();
                    }
                }
                flush();
            }

            private void flush() {
                String text = decoded.toString(HeaderValues.charset(part.charset()));
                decoded.reset();
                for (String l : text.split("\r?\n", -1)) {
                    if (!l.isEmpty()) {
                        handler.text(part, l);
                    }
                }
            }
        }
    }
}
