package org.posthorn.api.mail;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A mailbox address {@code local-part@domain} (RFC 5321 §4.1.2, RFC 6531 for UTF-8).
 *
 * <p>The domain is kept in its canonical ASCII form: lower case, internationalised labels
 * as A-labels ({@code xn--...}), so two spellings of one domain compare equal. An address
 * literal such as {@code [192.0.2.1]} is kept as written. The local part is kept exactly as
 * given (without surrounding quotes); it may contain UTF-8, which is only allowed on the
 * wire when the session negotiated SMTPUTF8. Whether two local parts name the same user is
 * for the {@code UserDirectory} to decide, not for {@link #equals}.
 *
 * @param localPart the local part, unquoted, never empty
 * @param domain    the domain in canonical ASCII form
 */
public record MailAddress(String localPart, String domain) {

    /** RFC 5321 §4.5.3.1.1. */
    public static final int MAX_LOCAL_PART_OCTETS = 64;
    /** RFC 5321 §4.5.3.1.2. */
    public static final int MAX_DOMAIN_OCTETS = 255;

    public MailAddress {
        if (localPart == null || localPart.isEmpty()) {
            throw new IllegalArgumentException("empty local part");
        }
        if (localPart.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART_OCTETS) {
            throw new IllegalArgumentException("local part longer than 64 octets");
        }
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("control character in local part");
            }
        }
        domain = canonicalDomain(domain);
    }

    /**
     * Parses {@code local@domain}, where the local part may be a quoted string
     * ({@code "john doe"@example.org}). Angle brackets are not accepted here; the protocol
     * layer strips them.
     *
     * @throws IllegalArgumentException with a human-readable reason if the text is not an address
     */
    public static MailAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        String local;
        int at;
        if (text.charAt(0) == '"') {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            for (; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length()) {
                    sb.append(text.charAt(++i));
                } else if (c == '"') {
                    break;
                } else {
                    sb.append(c);
                }
            }
            if (i >= text.length() || i + 1 >= text.length() || text.charAt(i + 1) != '@') {
                throw new IllegalArgumentException("unterminated quoted local part");
            }
            local = sb.toString();
            at = i + 1;
        } else {
            at = text.lastIndexOf('@');
            if (at < 0) {
                throw new IllegalArgumentException("missing @ in address");
            }
            local = text.substring(0, at);
            if (local.isEmpty() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
                throw new IllegalArgumentException("malformed local part");
            }
            for (int i = 0; i < local.length(); i++) {
                char c = local.charAt(i);
                if (c == ' ' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';'
                        || c == '<' || c == '>' || c == '@' || c == '[' || c == ']' || c == '\\') {
                    throw new IllegalArgumentException("character '" + c + "' not allowed unquoted in local part");
                }
            }
        }
        return new MailAddress(local, text.substring(at + 1));
    }

    /** The domain for display, with A-labels turned back into Unicode. */
    public String unicodeDomain() {
        return domain.startsWith("[") ? domain : IDN.toUnicode(domain, IDN.ALLOW_UNASSIGNED);
    }

    /** True if the local part is plain ASCII, i.e. the address can be sent without SMTPUTF8. */
    public boolean isAscii() {
        return localPart.chars().allMatch(c -> c < 0x80);
    }

    /** True if the local part must be quoted on the wire (contains a space or a special). */
    public boolean needsQuoting() {
        return localPart.chars().anyMatch(c -> " \"(),:;<>@[]\\".indexOf(c) >= 0)
                || localPart.startsWith(".") || localPart.endsWith(".") || localPart.contains("..");
    }

    /** The address as written in an SMTP path or a header, quoting the local part if needed. */
    @Override
    public String toString() {
        if (!needsQuoting()) {
            return localPart + "@" + domain;
        }
        return '"' + localPart.replace("\\", "\\\\").replace("\"", "\\\"") + "\"@" + domain;
    }

    private static String canonicalDomain(String domain) {
        if (domain == null || domain.isEmpty()) {
            throw new IllegalArgumentException("empty domain");
        }
        if (domain.startsWith("[")) {
            if (!domain.endsWith("]") || domain.length() < 3) {
                throw new IllegalArgumentException("malformed address literal");
            }
            return domain;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid domain: " + e.getMessage(), e);
        }
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1);
        }
        if (ascii.isEmpty() || ascii.length() > MAX_DOMAIN_OCTETS || ascii.startsWith(".") || ascii.contains("..")) {
            throw new IllegalArgumentException("invalid domain");
        }
        return ascii;
    }
}
