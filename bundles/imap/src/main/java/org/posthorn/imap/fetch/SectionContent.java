package org.posthorn.imap.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

import org.posthorn.api.store.MimePart;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.ResponseWriter;

/**
 * Serves BODY[section]&lt;partial&gt; and BINARY[part]&lt;partial&gt; as literals streamed from
 * byte ranges of the stored message (RFC 9051 §6.4.5, RFC 3516): the offsets come from the
 * structure parsed at delivery, so nothing is parsed again and only HEADER.FIELDS is held in
 * memory (the selected fields of one header).
 */
public final class SectionContent {

    private static final Set<String> KNOWN_ENCODINGS = Set.of("7BIT", "8BIT", "BINARY", "BASE64", "QUOTED-PRINTABLE");

    private SectionContent() {
    }

    /** Writes the section's content as a literal, or NIL if the message has no such part. */
    public static void writeBody(ResponseWriter out, StoredMessage message, FetchItem.BodySection item)
            throws IOException {
        FetchItem.Section section = item.section();
        MimePart root = message.structure();
        MimePart part = section.part().isEmpty() ? root : root.part(section.part());
        if (part == null) {
            out.raw("NIL");
            return;
        }
        long offset;
        long length;
        switch (section.text()) {
            case NONE -> {
                if (section.part().isEmpty()) {
                    offset = 0;
                    length = message.meta().size();
                } else {
                    offset = part.bodyStart();
                    length = part.bodySize();
                }
            }
            case MIME -> {
                offset = part.headerStart();
                length = part.bodyStart() - part.headerStart();
            }
            default -> {
                MimePart entity = section.part().isEmpty() ? root
                        : part.isEmbeddedMessage() ? part.children().get(0) : null;
                if (entity == null) {
                    out.raw("NIL");
                    return;
                }
                if (section.text() == FetchItem.Text.TEXT) {
                    offset = entity.bodyStart();
                    length = entity.end() - entity.bodyStart();
                } else {
                    offset = entity.headerStart();
                    length = entity.bodyStart() - entity.headerStart();
                }
                if (section.text() == FetchItem.Text.HEADER_FIELDS
                        || section.text() == FetchItem.Text.HEADER_FIELDS_NOT) {
                    byte[] fields;
                    try (InputStream in = message.source().openRange(offset, length)) {
                        fields = HeaderFilter.filter(in, section.fields(),
                                section.text() == FetchItem.Text.HEADER_FIELDS_NOT);
                    }
                    writePartial(out, fields, item.origin(), item.length());
                    return;
                }
            }
        }
        long[] range = clip(length, item.origin(), item.length());
        if (range[1] == 0) {
            out.raw("\"\"");
            return;
        }
        try (InputStream in = message.source().openRange(offset + range[0], range[1])) {
            out.literal(in, range[1], false);
        }
    }

    private static void writePartial(ResponseWriter out, byte[] bytes, long origin, long length) {
        long[] range = clip(bytes.length, origin, length);
        byte[] slice = new byte[(int) range[1]];
        System.arraycopy(bytes, (int) range[0], slice, 0, slice.length);
        out.literal(slice);
    }

    /** {start, length} of the partial {@code <origin.length>} within {@code size} bytes (origin -1: all). */
    private static long[] clip(long size, long origin, long length) {
        if (origin < 0) {
            return new long[] {0, size};
        }
        if (origin >= size) {
            return new long[] {size, 0};
        }
        return new long[] {origin, Math.min(length, size - origin)};
    }

    /** The part BINARY names, or null. */
    private static MimePart binaryPart(StoredMessage message, String number) {
        return number.isEmpty() ? message.structure() : message.structure().part(number);
    }

    /** Checks that BINARY can decode the part: RFC 3516 §4.3 {@code NO [UNKNOWN-CTE]} otherwise. */
    public static void checkBinary(StoredMessage message, String number) throws ImapException {
        MimePart part = binaryPart(message, number);
        if (part != null && isLeaf(part, number) && !KNOWN_ENCODINGS.contains(part.transferEncoding())) {
            throw ImapException.no("UNKNOWN-CTE", "Unknown Content-Transfer-Encoding " + part.transferEncoding());
        }
    }

    /** A part whose body BINARY decodes; the whole message and multiparts are served as they are. */
    private static boolean isLeaf(MimePart part, String number) {
        return !number.isEmpty() && !part.isMultipart() && !part.isEmbeddedMessage();
    }

    /** BINARY.SIZE[part]: the size after decoding, or NIL. */
    public static void writeBinarySize(ResponseWriter out, StoredMessage message, String number) {
        MimePart part = binaryPart(message, number);
        if (part == null) {
            out.raw("NIL");
        } else {
            out.number(binarySize(message, part, number));
        }
    }

    private static long binarySize(StoredMessage message, MimePart part, String number) {
        if (number.isEmpty()) {
            return message.meta().size();
        }
        return isLeaf(part, number) ? part.decodedSize() : part.bodySize();
    }

    /** BINARY[part]&lt;partial&gt;: the decoded body as a literal ({@code ~{n}} when it may hold NULs). */
    public static void writeBinary(ResponseWriter out, StoredMessage message, FetchItem.Binary item)
            throws IOException {
        String number = item.part();
        MimePart part = binaryPart(message, number);
        if (part == null) {
            out.raw("NIL");
            return;
        }
        long[] range = clip(binarySize(message, part, number), item.origin(), item.length());
        if (range[1] == 0) {
            out.raw("\"\"");
            return;
        }
        if (!isLeaf(part, number)) {
            long offset = number.isEmpty() ? 0 : part.bodyStart();
            try (InputStream in = message.source().openRange(offset + range[0], range[1])) {
                out.literal(in, range[1], true);
            }
            return;
        }
        boolean binary = !part.transferEncoding().equals("7BIT") && !part.transferEncoding().equals("8BIT");
        try (InputStream in = message.source().openDecoded(part)) {
            in.skipNBytes(range[0]);
            out.literal(in, range[1], binary);
        }
    }
}
