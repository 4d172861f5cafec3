package org.posthorn.store.mime;

import java.util.List;
import java.util.Locale;

/**
 * One header field: name as written, value unfolded (CRLF removed, the white space after it
 * kept) with leading white space trimmed.
 */
public record HeaderField(String name, String value) {

    /** The value of the first field named {@code name} (case-insensitive), or null. */
    public static String first(List<HeaderField> fields, String name) {
        for (HeaderField f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                return f.value;
            }
        }
        return null;
    }

    /** The values of all fields named {@code name}, joined with {@code ", "}, or null if none. */
    public static String joined(List<HeaderField> fields, String name) {
        StringBuilder sb = null;
        for (HeaderField f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                if (sb == null) {
                    sb = new StringBuilder(f.value);
                } else {
                    sb.append(", ").append(f.value);
                }
            }
        }
        return sb == null ? null : sb.toString();
    }

    /** The lower-case name. */
    public String key() {
        return name.toLowerCase(Locale.ROOT);
    }
}
