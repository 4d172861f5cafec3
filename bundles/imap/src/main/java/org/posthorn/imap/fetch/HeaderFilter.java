package org.posthorn.imap.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * BODY[HEADER.FIELDS (...)] and BODY[HEADER.FIELDS.NOT (...)] (RFC 9051 §6.4.5): the header
 * fields named (or all but those), each with its continuation lines as written, and the blank
 * line that ends a header. Reads the header once, a line at a time.
 */
public final class HeaderFilter {

    private HeaderFilter() {
    }

    /**
     * @param header the header bytes, up to and including the blank line
     * @param names  field names, upper case
     * @param not    {@code true} for HEADER.FIELDS.NOT
     */
    public static byte[] filter(InputStream header, List<String> names, boolean not) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean keep = false;
        int b;
        while (true) {
            line.reset();
            while ((b = header.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            if (line.size() == 0) {
                break;
            }
            byte[] bytes = line.toByteArray();
            if (isBlank(bytes)) {
                break;
            }
            if (bytes[0] != ' ' && bytes[0] != '\t') {
                keep = names.contains(fieldName(bytes)) != not;
            }
            if (keep) {
                out.writeBytes(bytes);
                if (bytes[bytes.length - 1] != '\n') {
                    out.writeBytes(new byte[] {'\r', '\n'});
                }
            }
            if (b < 0) {
                break;
            }
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    private static boolean isBlank(byte[] line) {
        return line.length == 1 && line[0] == '\n' || line.length == 2 && line[0] == '\r' && line[1] == '\n';
    }

    private static String fieldName(byte[] line) {
        int colon = 0;
        while (colon < line.length && line[colon] != ':') {
            colon++;
        }
        return new String(line, 0, colon, StandardCharsets.ISO_8859_1).strip().toUpperCase(Locale.ROOT);
    }
}
