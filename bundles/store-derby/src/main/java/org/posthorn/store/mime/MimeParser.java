package org.posthorn.store.mime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.posthorn.api.store.EnvelopeAddress;
import org.posthorn.api.store.MessageEnvelope;
import org.posthorn.api.store.MimePart;

/**
 * A streaming RFC 5322 / RFC 2045-2046 parser that records what IMAP FETCH needs: the MIME
 * tree with the byte offsets of every entity's header and body, line counts, decoded sizes,
 * and the envelope of every (embedded) message. It reads the message once, line by line,
 * holding at most one header field and an 8 KiB line head in memory, so message size does not
 * matter. Lenient like real mail: bare LF line ends, missing close delimiters (an outer
 * boundary or the end of input closes inner parts), parts without headers.
 */
public final class MimeParser {

    /** Nesting deeper than this (multipart in message in multipart ...) is not parsed into. */
    static final int MAX_DEPTH = 40;
    /** Characters kept of one unfolded header field. */
    static final int MAX_FIELD = 65536;

    private static final Set<String> KEPT_FIELDS = Set.of("content-type", "content-transfer-encoding",
            "content-id", "content-description", "content-disposition", "content-language", "content-location",
            "content-md5", "date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to",
            "message-id");
    private static final Map<String, String> TEXT_PLAIN = Map.of("charset", "us-ascii");

    private enum State { HEADER, LEAF, PREAMBLE, PARTS, EPILOGUE, CONTAINER }

    private static final class Entity {
        final Entity parent;
        final boolean messageRoot;
        final int depth;
        long headerStart;
        final List<HeaderField> fields = new ArrayList<>();
        String fieldName;
        StringBuilder fieldValue;
        long bodyStart = -1;
        long lfAtBodyStart;
        long end;
        long lines;
        String type;
        String subtype;
        Map<String, String> parameters;
        String transferEncoding;
        byte[] delimiter;
        State state = State.HEADER;
        final List<Entity> children = new ArrayList<>();
        TransferDecoder decoder;
        long decodedSize;
        final TransferDecoder.Sink counter = (b, off, len) -> decodedSize += len;
        boolean bodyLineSeen;

        Entity(Entity parent, boolean messageRoot) {
            this.parent = parent;
            this.messageRoot = messageRoot;
            this.depth = parent == null ? 0 : parent.depth + 1;
        }
    }

    private final LineReader reader;
    private final List<Entity> stack = new ArrayList<>();
    private final Entity root;
    /** Terminator length of the previous line: a delimiter line takes it as its own CRLF. */
    private int previousTerminator;
    /** Whether the line being read, and the one before it, are empty (no bytes before their terminator). */
    private boolean lineEmpty;
    private boolean previousLineEmpty;
    private Entity pendingChild;
    private boolean headerEnds;
    private boolean feeding;

    private MimeParser(InputStream in) {
        this.reader = new LineReader(in);
        this.root = new Entity(null, true);
        stack.add(root);
    }

    /** Parses a whole message; the caller closes the stream. */
    public static ParsedMessage parse(InputStream in) throws IOException {
        MimeParser parser = new MimeParser(in);
        LineReader.Handler handler = parser.new Lines();
        while (parser.reader.next(handler)) {
            // the handler does the work
        }
        return parser.finishAll();
    }

    private final class Lines implements LineReader.Handler {
        @Override
        public void head(byte[] b, int len, boolean complete) {
            feeding = false;
            lineEmpty = len == 0;
            if (complete && len >= 2 && b[0] == '-' && b[1] == '-' && delimiter(b, len)) {
                return;
            }
            Entity top = stack.get(stack.size() - 1);
            switch (top.state) {
                case HEADER -> {
                    if (len == 0) {
                        headerEnds = true;
                    } else {
                        headerLine(top, b, len);
                    }
                }
                case LEAF -> {
                    if (top.bodyLineSeen) {
                        feed(top, previousTerminator == 2 ? CRLF : LF, 0, previousTerminator);
                    }
                    top.bodyLineSeen = true;
                    feed(top, b, 0, len);
                    feeding = true;
                }
                default -> { }
            }
        }

        @Override
        public void more(byte[] b, int off, int len) {
            lineEmpty &= len == 0;
            if (feeding) {
                feed(stack.get(stack.size() - 1), b, off, len);
            }
        }

        @Override
        public void end(int terminatorLength) {
            long lineEnd = reader.offset();
            if (headerEnds) {
                headerEnds = false;
                endHeader(stack.get(stack.size() - 1), lineEnd);
            } else if (pendingChild != null) {
                pendingChild.headerStart = lineEnd;
                stack.add(pendingChild);
                pendingChild = null;
            }
            previousTerminator = terminatorLength;
            previousLineEmpty = lineEmpty;
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LF = {'\n'};

    private static void feed(Entity e, byte[] b, int off, int len) {
        if (len > 0 && e.decoder != null) {
            e.decoder.write(b, off, len, e.counter);
        }
    }

    /** If the line is a boundary delimiter of an open multipart, closes what it ends and returns true. */
    private boolean delimiter(byte[] b, int len) {
        for (int k = stack.size() - 1; k >= 0; k--) {
            Entity m = stack.get(k);
            if (m.delimiter == null || !startsWith(b, len, m.delimiter)) {
                continue;
            }
            int i = m.delimiter.length;
            boolean close = i + 1 < len && b[i] == '-' && b[i + 1] == '-';
            int j = close ? i + 2 : i;
            while (j < len && (b[j] == ' ' || b[j] == '\t')) {
                j++;
            }
            if (j != len) {
                continue;
            }
            long closeAt = reader.lineStart() - previousTerminator;
            // the line break before the delimiter belongs to it (RFC 2046 §5.1.1): when the body
            // ends with a line break (the line before was empty), that last line is not one more
            long lfBefore = reader.lfCount() - (previousLineEmpty ? 1 : 0);
            while (stack.size() - 1 > k) {
                finish(stack.remove(stack.size() - 1), closeAt, lfBefore, false);
            }
            if (close) {
                m.state = State.EPILOGUE;
            } else {
                m.state = State.PARTS;
                pendingChild = new Entity(m, false);
                m.children.add(pendingChild);
            }
            return true;
        }
        return false;
    }

    private static boolean startsWith(byte[] b, int len, byte[] prefix) {
        return len >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void headerLine(Entity e, byte[] b, int len) {
        if ((b[0] == ' ' || b[0] == '\t') && e.fieldName != null) {
            if (e.fieldValue != null && e.fieldValue.length() < MAX_FIELD) {
                e.fieldValue.append(Charsets.headerText(b, 0, len));
            }
            return;
        }
        endField(e);
        int colon = -1;
        for (int i = 0; i < len; i++) {
            if (b[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            e.fieldName = null;
            return;
        }
        String name = new String(b, 0, colon, StandardCharsets.ISO_8859_1).strip();
        e.fieldName = name;
        e.fieldValue = KEPT_FIELDS.contains(name.toLowerCase(Locale.ROOT))
                ? new StringBuilder(Charsets.headerText(b, colon + 1, len - colon - 1)) : null;
    }

    private static void endField(Entity e) {
        if (e.fieldName != null && e.fieldValue != null) {
            String value = e.fieldValue.length() > MAX_FIELD ? e.fieldValue.substring(0, MAX_FIELD)
                    : e.fieldValue.toString();
            e.fields.add(new HeaderField(e.fieldName, value.strip()));
        }
        e.fieldName = null;
        e.fieldValue = null;
    }

    private void endHeader(Entity e, long bodyStart) {
        endField(e);
        e.bodyStart = bodyStart;
        e.lfAtBodyStart = reader.lfCount();
        classify(e);
        if ("multipart".equals(e.type)) {
            e.state = State.PREAMBLE;
            e.delimiter = ("--" + e.parameters.get("boundary")).getBytes(StandardCharsets.ISO_8859_1);
        } else if (e.state == State.CONTAINER) {
            Entity child = new Entity(e, true);
            child.headerStart = bodyStart;
            e.children.add(child);
            stack.add(child);
        } else {
            e.state = State.LEAF;
            e.decoder = TransferDecoder.forEncoding(e.transferEncoding);
        }
    }

    private static void classify(Entity e) {
        String cte = HeaderField.first(e.fields, "content-transfer-encoding");
        e.transferEncoding = cte == null || cte.isBlank() ? "7BIT"
                : ParameterizedValue.parse(cte).value().toUpperCase(Locale.ROOT);
        String ct = HeaderField.first(e.fields, "content-type");
        ParameterizedValue value = ct == null ? null : ParameterizedValue.parse(ct);
        int slash = value == null ? -1 : value.value().indexOf('/');
        if (slash <= 0 || slash == value.value().length() - 1) {
            boolean digest = e.parent != null && "multipart".equals(e.parent.type)
                    && "digest".equals(e.parent.subtype);
            setType(e, digest ? "message" : "text", digest ? "rfc822" : "plain", digest ? Map.of() : TEXT_PLAIN);
        } else {
            setType(e, value.value().substring(0, slash), value.value().substring(slash + 1), value.parameters());
        }
        if ("multipart".equals(e.type)) {
            String boundary = e.parameters.get("boundary");
            if (boundary == null || boundary.isEmpty() || e.depth >= MAX_DEPTH) {
                setType(e, "text", "plain", TEXT_PLAIN);
            }
        } else if ("message".equals(e.type) && ("rfc822".equals(e.subtype) || "global".equals(e.subtype))
                && Set.of("7BIT", "8BIT", "BINARY").contains(e.transferEncoding) && e.depth < MAX_DEPTH) {
            e.state = State.CONTAINER;
        }
    }

    private static void setType(Entity e, String type, String subtype, Map<String, String> parameters) {
        e.type = type;
        e.subtype = subtype;
        e.parameters = parameters;
    }

    /** Ends an entity at {@code end}; {@code lfBefore} is the LF count before that point's line. */
    private void finish(Entity e, long end, long lfBefore, boolean atEof) {
        if (e.state == State.HEADER) {
            endField(e);
            e.bodyStart = Math.max(e.headerStart, end);
            e.lfAtBodyStart = lfBefore;
            classify(e);
            if (e.state == State.CONTAINER || "multipart".equals(e.type)) {
                setType(e, "text", "plain", TEXT_PLAIN);
            }
            e.state = State.LEAF;
        }
        e.end = Math.max(e.bodyStart, end);
        if (e.end == e.bodyStart) {
            e.lines = 0;
        } else if (atEof) {
            e.lines = reader.lfCount() - e.lfAtBodyStart + (previousTerminator == 0 ? 1 : 0);
        } else {
            e.lines = lfBefore - e.lfAtBodyStart;
        }
        if (e.decoder != null) {
            TransferDecoder decoder = e.decoder;
            e.decoder = null;
            decoder.finish(e.counter);
        } else {
            e.decodedSize = e.end - e.bodyStart;
        }
    }

    private ParsedMessage finishAll() {
        long end = reader.offset();
        Entity top = stack.get(stack.size() - 1);
        if (top.state == State.LEAF && top.bodyLineSeen && previousTerminator > 0) {
            feed(top, previousTerminator == 2 ? CRLF : LF, 0, previousTerminator);
        }
        if (headerEnds) {
            endHeader(top, end);
        }
        while (!stack.isEmpty()) {
            finish(stack.remove(stack.size() - 1), end, reader.lfCount(), true);
        }
        MimePart structure = build(root);
        List<HeaderField> f = root.fields;
        return new ParsedMessage(structure, DateField.parse(HeaderField.first(f, "date")),
                AddressParser.searchText(HeaderField.joined(f, "from")),
                AddressParser.searchText(HeaderField.joined(f, "to")),
                AddressParser.searchText(HeaderField.joined(f, "cc")),
                AddressParser.searchText(HeaderField.joined(f, "bcc")),
                searchText(HeaderField.first(f, "subject")));
    }

    /** Decoded, lower-cased header text for SEARCH. */
    public static String searchText(String raw) {
        return raw == null ? null : EncodedWords.decode(raw).toLowerCase(Locale.ROOT);
    }

    private MimePart build(Entity e) {
        List<MimePart> children = new ArrayList<>(e.children.size());
        for (Entity child : e.children) {
            children.add(build(child));
        }
        if ("multipart".equals(e.type) && children.isEmpty()) {
            children.add(new MimePart("text", "plain", TEXT_PLAIN, null, null, "7BIT", e.end, e.end, e.end, 0, 0,
                    null, Map.of(), List.of(), null, null, null, List.of()));
        }
        List<HeaderField> f = e.fields;
        String dispositionText = HeaderField.first(f, "content-disposition");
        ParameterizedValue disposition = dispositionText == null ? null : ParameterizedValue.parse(dispositionText);
        String languageText = HeaderField.first(f, "content-language");
        List<String> language = new ArrayList<>();
        if (languageText != null) {
            for (String l : languageText.split(",")) {
                if (!l.isBlank()) {
                    language.add(l.strip());
                }
            }
        }
        long decodedSize = e.children.isEmpty() ? e.decodedSize : e.end - e.bodyStart;
        return new MimePart(e.type, e.subtype, Collections.unmodifiableMap(new LinkedHashMap<>(e.parameters)),
                HeaderField.first(f, "content-id"), HeaderField.first(f, "content-description"), e.transferEncoding,
                e.headerStart, e.bodyStart, e.end, e.lines, decodedSize,
                disposition == null || disposition.value().isEmpty() ? null : disposition.value(),
                disposition == null ? Map.of() : disposition.parameters(), language,
                HeaderField.first(f, "content-location"), HeaderField.first(f, "content-md5"),
                e.messageRoot ? envelope(f) : null, children);
    }

    static MessageEnvelope envelope(List<HeaderField> f) {
        List<EnvelopeAddress> from = AddressParser.parse(HeaderField.first(f, "from"));
        List<EnvelopeAddress> sender = AddressParser.parse(HeaderField.first(f, "sender"));
        List<EnvelopeAddress> replyTo = AddressParser.parse(HeaderField.first(f, "reply-to"));
        return new MessageEnvelope(HeaderField.first(f, "date"), HeaderField.first(f, "subject"), from,
                sender.isEmpty() ? from : sender, replyTo.isEmpty() ? from : replyTo,
                AddressParser.parse(HeaderField.first(f, "to")), AddressParser.parse(HeaderField.first(f, "cc")),
                AddressParser.parse(HeaderField.first(f, "bcc")), HeaderField.first(f, "in-reply-to"),
                HeaderField.first(f, "message-id"));
    }
}
