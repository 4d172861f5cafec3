package org.posthorn.imap.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

import org.posthorn.api.store.MimePart;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.ResponseWriter;

/**
 * The content of BODY[section]&lt;partial&gt; and BINARY[part]&lt;partial&gt; (RFC 9051 §6.4.5,
 * RFC 3516), from byte ranges of the stored message: the offsets come from the structure parsed
 * at delivery, so nothing is parsed again. Content is opened before its FETCH response is begun
 * (a message expunged and purged meanwhile is then simply not reported); up to 8 KiB is read at
 * once, more is streamed while the response is written. Only HEADER.FIELDS is built in memory.
 * Close it.
 */
public final class SectionContent implements AutoCloseable {

    private static final Set<String> KNOWN_ENCODINGS = Set.of("7BIT", "8BIT", "BINARY", "BASE64", "QUOTED-PRINTABLE");
    private static final int READ_AT_ONCE = 8192;
    private static final SectionContent NIL = new SectionContent(null, null, 0, false);

    private final byte[] bytes;
    private final InputStream stream;
    private final long length;
    private final boolean binary;

    private SectionContent(byte[] bytes, InputStream stream, long length, boolean binary) {
        this.bytes = bytes;
        this.stream = stream;
        this.length = length;
        this.binary = binary;
    }

    /** {@code length} bytes of {@code in}, read now if they are few; {@code in} is closed when this is. */
    private static SectionContent of(InputStream in, long length, boolean binary) throws IOException {
        if (length > READ_AT_ONCE) {
            return new SectionContent(null, in, length, binary);
        }
        try (in) {
            byte[] read = in.readNBytes((int) length);
            if (read.length != length) {
                throw new IOException("message content ended after " + read.length + " of " + length + " bytes");
            }
            return new SectionContent(read, null, length, binary);
        }
    }

    /** Writes the content: NIL, an empty string, or a literal ({@code ~{n}} for BINARY that may hold NULs). */
    public void write(ResponseWriter out) throws IOException {
        if (this == NIL) {
            out.raw("NIL");
        } else if (length == 0) {
            out.raw("\"\"");
        } else if (bytes != null) {
            if (binary) {
                out.raw("~");
            }
            out.literal(bytes);
        } else {
            out.literal(stream, length, binary);
        }
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
        }
    }

    /** BODY[section]&lt;partial&gt;: the section's bytes, or NIL if the message has no such part. */
    public static SectionContent body(StoredMessage message, FetchItem.BodySection item) throws IOException {
        FetchItem.Section section = item.section();
        MimePart root = message.structure();
        MimePart part = section.part().isEmpty() ? root : root.part(section.part());
        if (part == null) {
            return NIL;
        }
        long offset;
        long length;
        switch (section.text()) {
            case NONE -> {
                offset = section.part().isEmpty() ? 0 : part.bodyStart();
                length = section.part().isEmpty() ? message.meta().size() : part.bodySize();
            }
            case MIME -> {
                offset = part.headerStart();
                length = part.bodyStart() - part.headerStart();
            }
            default -> {
                MimePart entity = section.part().isEmpty() ? root
                        : part.isEmbeddedMessage() ? part.children().get(0) : null;
                if (entity == null) {
                    return NIL;
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
                    long[] range = clip(fields.length, item.origin(), item.length());
                    byte[] slice = new byte[(int) range[1]];
                    System.arraycopy(fields, (int) range[0], slice, 0, slice.length);
                    return new SectionContent(slice, null, slice.length, false);
                }
            }
        }
        long[] range = clip(length, item.origin(), item.length());
        if (range[1] == 0) {
            return new SectionContent(new byte[0], null, 0, false);
        }
        return of(message.source().openRange(offset + range[0], range[1]), range[1], false);
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

    /** BINARY[part]&lt;partial&gt;: the decoded body, or NIL if there is no such part. */
    public static SectionContent binary(StoredMessage message, FetchItem.Binary item) throws IOException {
        String number = item.part();
        MimePart part = binaryPart(message, number);
        if (part == null) {
            return NIL;
        }
        long[] range = clip(binarySize(message, part, number), item.origin(), item.length());
        if (range[1] == 0) {
            return new SectionContent(new byte[0], null, 0, true);
        }
        if (!isLeaf(part, number)) {
            long offset = number.isEmpty() ? 0 : part.bodyStart();
            return of(message.source().openRange(offset + range[0], range[1]), range[1], true);
        }
        boolean mayHoldNul = !part.transferEncoding().equals("7BIT") && !part.transferEncoding().equals("8BIT");
        InputStream in = message.source().openDecoded(part);
        try {
            in.skipNBytes(range[0]);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return of(in, range[1], mayHoldNul);
    }
}
