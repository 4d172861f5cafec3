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
 *
 * @param fields     the fields top to bottom
 * @param bodyOffset where the body starts (after the empty line)
 */
public record RawHeader(List<Field> fields, long bodyOffset) {

    /** Headers longer than this are not read further; a signature over them cannot be checked. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    /** One field: its name and its exact text including the final line break. */
    public record Field(String name, String raw) {

        /** The value unfolded, without the name and colon, stripped. */
        public String value() {
            return raw.substring(raw.indexOf(':') + 1).replaceAll("\r?\n", "").strip();
        }
    }

    /**
     * Reads the header from the start of a message; the stream is left somewhere in the body.
     *
     * @throws IOException if the stream fails, or the header is longer than {@link #MAX_HEADER_BYTES}
     */
    public static RawHeader read(InputStream in) throws IOException {
        List<Field> fields = new ArrayList<>();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long offset = 0;
        int b;
        while (true) {
            line.reset();
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            offset += line.size();
            if (offset > MAX_HEADER_BYTES) {
                throw new IOException("header longer than " + MAX_HEADER_BYTES + " bytes");
            }
            byte[] bytes = line.toByteArray();
            boolean continuation = bytes.length > 0 && (bytes[0] == ' ' || bytes[0] == '\t');
            if (!continuation && field.size() > 0) {
                add(fields, field.toString(StandardCharsets.ISO_8859_1));
                field.reset();
            }
            boolean end = bytes.length == 0 || (bytes[0] == '\r' && bytes.length == 2) || bytes[0] == '\n';
            if (end) {
                return new RawHeader(List.copyOf(fields), offset);
            }
            field.writeBytes(bytes);
        }
    }

    private static void add(List<Field> fields, String raw) {
        int colon = raw.indexOf(':');
        if (colon > 0) {
            fields.add(new Field(raw.substring(0, colon).strip(), raw));
        }
    }

    /** The fields named {@code name} (case-insensitive), top to bottom. */
    public List<Field> all(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return fields.stream().filter(f -> f.name().toLowerCase(Locale.ROOT).equals(n)).toList();
    }
}
