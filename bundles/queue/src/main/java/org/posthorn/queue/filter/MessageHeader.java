package org.posthorn.queue.filter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.posthorn.api.filter.HeaderField;

/**
 * A message header that filters can edit. Fields nobody touched keep their exact bytes
 * (folding, spacing, 8-bit text); added or replaced fields are written fresh, folded at
 * white space to stay within 78 characters where possible (RFC 5322 §2.2.3).
 */
public final class MessageHeader {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final int FOLD_AT = 78;

    /** One field; {@code raw} is null for a field written by a filter. */
    private record Field(String name, String value, byte[] raw) {
    }

    private final List<Field> fields;
    private final boolean truncated;
    private boolean changed;

    private MessageHeader(List<Field> fields, boolean truncated) {
        this.fields = fields;
        this.truncated = truncated;
    }

    /**
     * Parses the header part of a message (up to and including the empty line, if any).
     *
     * @param truncated true if {@code header} is only the first part of a longer header: the
     *                  edited bytes then replace just that part and end without the empty line
     */
    public static MessageHeader parse(byte[] header, boolean truncated) {
        List<Field> fields = new ArrayList<>();
        int start = 0;
        while (start < header.length) {
            int end = start;
            while (end < header.length && header[end] != '\n') {
                end++;
            }
            end = Math.min(end + 1, header.length);
            byte[] line = Arrays.copyOfRange(header, start, end);
            if (isEmptyLine(line)) {
                break;
            }
            if ((line[0] == ' ' || line[0] == '\t') && !fields.isEmpty()) {
                Field last = fields.remove(fields.size() - 1);
                byte[] raw = Arrays.copyOf(last.raw(), last.raw().length + line.length);
                System.arraycopy(line, 0, raw, last.raw().length, line.length);
                fields.add(fromRaw(raw));
            } else {
                fields.add(fromRaw(line));
            }
            start = end;
        }
        return new MessageHeader(fields, truncated);
    }

    private static boolean isEmptyLine(byte[] line) {
        return (line.length == 1 && line[0] == '\n') || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
    }

    private static Field fromRaw(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (colon < 0) {
            // not a field (e.g. an mbox "From " line): kept as it is, matched by no name
            return new Field("", unfold(text), raw);
        }
        return new Field(text.substring(0, colon).strip(), unfold(text.substring(colon + 1)), raw);
    }

    /** RFC 5322 §2.2.3: unfolding removes the line breaks before white space. */
    private static String unfold(String value) {
        return value.replaceAll("\r?\n(?=[ \t])", "").replaceAll("\r?\n$", "").strip();
    }

    public List<HeaderField> fields() {
        return fields.stream().map(f -> new HeaderField(f.name(), f.value())).toList();
    }

    public List<String> values(String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    public void prepend(String name, String value) {
        fields.add(0, new Field(checkName(name), clean(value), null));
        changed = true;
    }

    /** Replaces the first field named {@code name} in place and removes the others, or prepends one. */
    public void set(String name, String value) {
        Field replacement = new Field(checkName(name), clean(value), null);
        int first = indexOf(name);
        if (first < 0) {
            fields.add(0, replacement);
        } else {
            remove(name);
            fields.add(first, replacement);
        }
        changed = true;
    }

    public void remove(String name) {
        changed |= fields.removeIf(f -> f.name().equalsIgnoreCase(name));
    }

    /** True if a filter changed anything. */
    public boolean changed() {
        return changed;
    }

    /** The header as it now stands, ending with the empty line that separates it from the body (unless truncated). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : fields) {
            if (f.raw() != null) {
                out.writeBytes(f.raw());
                if (f.raw()[f.raw().length - 1] != '\n') {
                    out.writeBytes(CRLF);
                }
            } else {
                out.writeBytes(fold(f.name() + ": " + f.value()).getBytes(StandardCharsets.UTF_8));
                out.writeBytes(CRLF);
            }
        }
        if (!truncated) {
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private int indexOf(String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    static String fold(String line) {
        StringBuilder out = new StringBuilder();
        String rest = line;
        while (rest.length() > FOLD_AT) {
            int at = rest.lastIndexOf(' ', FOLD_AT);
            if (at <= 0) {
                at = rest.indexOf(' ', FOLD_AT);
            }
            if (at <= 0) {
                break;
            }
            out.append(rest, 0, at).append("\r\n");
            rest = rest.substring(at);
        }
        return out.append(rest).toString();
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty() || name.chars().anyMatch(c -> c <= 32 || c >= 127 || c == ':')) {
            throw new IllegalArgumentException("not a header field name: " + name);
        }
        return name;
    }

    /** A value cannot break out of its field: line breaks become spaces. */
    private static String clean(String value) {
        return value == null ? "" : value.replaceAll("[\r\n]+", " ").strip();
    }

    @Override
    public String toString() {
        return fields.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).toList().toString();
    }
}
