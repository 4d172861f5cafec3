package org.posthorn.mailauth.dkim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A DKIM tag=value list (RFC 6376 §3.2), as in a {@code DKIM-Signature} field or a key record.
 * Tag names are case-sensitive; values are stripped of surrounding folding white space.
 */
public final class TagList {

    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = tags;
    }

    /** @throws IllegalArgumentException for a malformed list or a tag given twice */
    public static TagList parse(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : text.split(";", -1)) {
            if (spec.isBlank()) {
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("tag without '=': " + spec.strip());
            }
            String name = spec.substring(0, eq).strip();
            if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("bad tag name: " + name);
            }
            if (tags.put(name, spec.substring(eq + 1).replaceAll("\r?\n", "").strip()) != null) {
                throw new IllegalArgumentException("tag " + name + " given twice");
            }
        }
        return new TagList(tags);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    /** @throws IllegalArgumentException if the tag is missing */
    public String required(String name) {
        String value = tags.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing tag " + name + "=");
        }
        return value;
    }

    /** A base64 value with every white space removed (b=, bh=, p=). */
    public static String base64(String value) {
        return value.replaceAll("[ \t\r\n]", "");
    }
}
