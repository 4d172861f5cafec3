package org.posthorn.smtp.session;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.posthorn.api.filter.HeaderField;

/** Header fields the policies add, written above the {@code Received:} field. */
final class AddedHeaders {

    /** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters. */
    private static final int LINE = 78;

    private AddedHeaders() {
    }

    /** The fields, each folded at spaces where a line would pass 78 characters, ending with CR LF, as UTF-8. */
    static byte[] of(Collection<HeaderField> fields) {
        StringBuilder out = new StringBuilder();
        for (HeaderField field : fields) {
            fold(field.name() + ": " + field.value().strip(), out);
            out.append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 5322 §2.2.3: folding puts CR LF before a space; a word longer than a line stays whole. */
    private static void fold(String line, StringBuilder out) {
        int start = 0;
        while (line.length() - start > LINE) {
            int cut = line.lastIndexOf(' ', start + LINE);
            if (cut <= start) {
                cut = line.indexOf(' ', start + LINE);
            }
            if (cut < 0) {
                break;
            }
            out.append(line, start, cut).append("\r\n");
            start = cut;
        }
        out.append(line, start, line.length());
    }
}
