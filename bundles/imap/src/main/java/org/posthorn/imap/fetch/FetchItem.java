package org.posthorn.imap.fetch;

import java.util.List;

/** One data item a FETCH asks for (RFC 9051 §6.4.5, RFC 3516, RFC 7162). */
public sealed interface FetchItem {

    /** Items that need no section. */
    enum Kind { FLAGS, INTERNALDATE, RFC822_SIZE, ENVELOPE, BODY, BODYSTRUCTURE, UID, MODSEQ }

    record Attribute(Kind kind) implements FetchItem {
    }

    /** What part of an entity a section names. */
    enum Text { NONE, HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME }

    /**
     * A section: {@code part} is {@code ""} (the whole message) or {@code "1.2"}; {@code fields}
     * are the field names of HEADER.FIELDS(.NOT), upper case.
     */
    record Section(String part, Text text, List<String> fields) {
        public Section {
            fields = List.copyOf(fields);
        }

        /** The section as it appears between the brackets of the response. */
        public String spec() {
            StringBuilder sb = new StringBuilder(part);
            if (text != Text.NONE) {
                if (!part.isEmpty()) {
                    sb.append('.');
                }
                sb.append(text.name().replace('_', '.'));
            }
            if (text == Text.HEADER_FIELDS || text == Text.HEADER_FIELDS_NOT) {
                sb.append(" (").append(String.join(" ", fields)).append(')');
            }
            return sb.toString();
        }
    }

    /**
     * {@code BODY[section]<origin.length>}, {@code BODY.PEEK[...]} or one of the RFC822 forms,
     * which answer under their own name ({@code label}); {@code origin} is -1 without a partial.
     */
    record BodySection(String label, Section section, boolean peek, long origin, long length) implements FetchItem {

        /** The item's name in the response, e.g. {@code BODY[1.MIME]<0>} or {@code RFC822.HEADER}. */
        public String responseName() {
            if (!label.equals("BODY")) {
                return label;
            }
            return "BODY[" + section.spec() + "]" + (origin >= 0 ? "<" + origin + ">" : "");
        }
    }

    /** {@code BINARY[part]<origin.length>} (RFC 3516): the part with its transfer encoding undone. */
    record Binary(String part, boolean peek, long origin, long length) implements FetchItem {
        public String responseName() {
            return "BINARY[" + part + "]" + (origin >= 0 ? "<" + origin + ">" : "");
        }
    }

    /** {@code BINARY.SIZE[part]}. */
    record BinarySize(String part) implements FetchItem {
    }
}
