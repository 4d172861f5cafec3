package org.posthorn.store.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.posthorn.api.store.MimePart;

/**
 * Case-insensitive substring search in a message's text as a reader sees it: header fields
 * unfolded with RFC 2047 words decoded; text parts with their transfer encoding and charset
 * undone; headers of embedded messages as text. Non-text parts are skipped. The message is
 * read once, as a stream, front to back.
 */
public final class MessageText {

    /** Header bytes read at most for one search. */
    public static final int MAX_HEADER = 1 << 20;

    private MessageText() {
    }

    /** True if a field named {@code field} exists and (for non-empty text) contains {@code lowerText}. */
    public static boolean headerContains(byte[] header, String field, String lowerText) {
        for (String line : Charsets.headerText(header, 0, header.length).split("\r?\n(?![ \t])")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(field)) {
                if (lowerText.isEmpty() || MimeParser.searchText(unfold(line.substring(colon + 1))).contains(lowerText)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True if the body text (and the top header if {@code withHeader}) contains {@code lowerText}.
     *
     * @param message the whole raw message from offset 0; not closed here
     */
    public static boolean bodyContains(InputStream message, MimePart root, String lowerText, boolean withHeader)
            throws IOException {
        if (lowerText.isEmpty()) {
            return true;
        }
        List<MimePart> regions = new ArrayList<>();
        if (withHeader) {
            regions.add(headerRegion(root));
        }
        collect(root, regions, true);
        long position = 0;
        for (MimePart region : regions) {
            boolean header = region.type() == null;
            long start = header ? region.headerStart() : region.bodyStart();
            long end = header ? region.bodyStart() : region.end();
            message.skipNBytes(start - position);
            position = end;
            InputStream bounded = new BoundedStream(message, end - start);
            if (header) {
                byte[] bytes = bounded.readNBytes((int) Math.min(end - start, MAX_HEADER));
                bounded.skipNBytes(((BoundedStream) bounded).remaining);
                if (MimeParser.searchText(unfold(Charsets.headerText(bytes, 0, bytes.length))).contains(lowerText)) {
                    return true;
                }
            } else {
                TransferDecoder decoder = TransferDecoder.forEncoding(region.transferEncoding());
                InputStream decoded = decoder == null ? bounded : new DecodingInputStream(bounded, decoder);
                Reader text = new InputStreamReader(decoded, Charsets.forName(region.parameters().get("charset")));
                if (contains(text, lowerText)) {
                    return true;
                }
                bounded.skipNBytes(((BoundedStream) bounded).remaining);
            }
        }
        return false;
    }

    /** A pseudo part standing for the header of a message (type null). */
    private static MimePart headerRegion(MimePart message) {
        return new MimePart(null, null, java.util.Map.of(), null, null, "7BIT", message.headerStart(),
                message.bodyStart(), message.bodyStart(), 0, 0, null, java.util.Map.of(), List.of(), null, null, null,
                List.of());
    }

    private static void collect(MimePart part, List<MimePart> regions, boolean top) {
        if (part.envelope() != null && !top) {
            regions.add(headerRegion(part));
        }
        if (!part.children().isEmpty()) {
            for (MimePart child : part.children()) {
                collect(child, regions, false);
            }
        } else if ("text".equals(part.type()) || "message".equals(part.type())) {
            regions.add(part);
        }
    }

    private static String unfold(String s) {
        return s.replace("\r\n", "").replace("\n", "");
    }

    static boolean contains(Reader text, String lowerNeedle) throws IOException {
        char[] buf = new char[8192];
        StringBuilder window = new StringBuilder();
        int keep = lowerNeedle.length() - 1;
        int n;
        while ((n = text.read(buf)) > 0) {
            window.append(new String(buf, 0, n).toLowerCase(Locale.ROOT));
            if (window.indexOf(lowerNeedle) >= 0) {
                return true;
            }
            if (window.length() > keep) {
                window.delete(0, window.length() - keep);
            }
        }
        return false;
    }

    /** At most {@code remaining} bytes of the underlying stream; close does not close it. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        long remaining;

        BoundedStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // the message stream stays open for the next region
        }
    }
}
