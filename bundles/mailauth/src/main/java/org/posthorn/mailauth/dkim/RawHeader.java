package org.posthorn.mailauth.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header of a message as it was received: each field with its exact bytes (folding
 * included), which simple canonicalization needs. Fields are ISO-8859-1 strings, one char per byte.
 * Memory is bounded: fields are kept up to {@link #MAX_HEADER_BYTES} in all; past that only
 * {@code From:} fields are (DMARC must see them however long the header), and {@code truncated}
 * is set.
 *
 * @param fields     the fields kept, top to bottom
 * @param bodyOffset where the body starts (after the empty line)
 * @param truncated  true if fields were left out because the header is too long
 */
public record RawHeader(List<Field> fields, long bodyOffset, boolean truncated) {

    /** Header bytes kept at most; a signature over a longer header cannot be checked. */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int MAX_FROM_BYTES = 1 << 16;

    /** One field: its name and its exact text including the final line break. */
    public record Field(String name, String raw) {

        /** The value unfolded, without the name and colon, stripped. */
        public String value() {
            return raw.substring(raw.indexOf(':') + 1).replaceAll("\r?\n", "").strip();
        }
    }

    /**
     * Reads the header from the start of a message; the stream is left at the start of the body.
     *
     * @throws IOException if the stream fails
     */
    public static RawHeader read(InputStream in) throws IOException {
        List<Field> fields = new ArrayList<>();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long offset = 0;
        long kept = 0;
        boolean truncated = false;
        while (true) {
            line.reset();
            long length = 0;
            int b;
            while ((b = in.read()) >= 0) {
                length++;
                if (line.size() < MAX_HEADER_BYTES) {
                    line.write(b);
                }
                if (b == '\n') {
                    break;
                }
            }
            offset += length;
            byte[] bytes = line.toByteArray();
            boolean continuation = bytes.length > 0 && (bytes[0] == ' ' || bytes[0] == '\t');
            if (!continuation && field.size() > 0) {
                Field complete = field(field.toString(StandardCharsets.ISO_8859_1));
                boolean from = complete != null && complete.name().equalsIgnoreCase("From");
                if (complete != null && (kept + complete.raw().length() <= MAX_HEADER_BYTES
                        || from && complete.raw().length() <= MAX_FROM_BYTES)) {
                    fields.add(complete);
                    kept += complete.raw().length();
                } else {
                    truncated |= complete != null;
                }
                field.reset();
            }
            boolean end = bytes.length == 0 || (bytes[0] == '\r' && bytes.length == 2) || bytes[0] == '\n';
            if (end) {
                return new RawHeader(List.copyOf(fields), offset, truncated);
            }
            if (field.size() < MAX_HEADER_BYTES) {
                field.writeBytes(bytes);
            } else {
                truncated = true;
            }
        }
    }

    private static Field field(String raw) {
        int colon = raw.indexOf(':');
        return colon > 0 ? new Field(raw.substring(0, colon).strip(), raw) : null;
    }

    /** The fields named {@code name} (case-insensitive), top to bottom. */
    public List<Field> all(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return fields.stream().filter(f -> f.name().toLowerCase(Locale.ROOT).equals(n)).toList();
    }
}
