package org.posthorn.mailauth;

import java.net.IDN;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The domain of the RFC 5322 {@code From:} field: what DKIM signing picks a key by and what
 * DMARC aligns to (RFC 7489 §3.1).
 */
public final class AuthorDomain {

    private static final Pattern ANGLE = Pattern.compile("<([^<>]*)>");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+");

    private AuthorDomain() {
    }

    /**
     * The one domain of a message's {@code From:} fields.
     *
     * @param fromValues the values of every {@code From:} field
     * @return empty unless there is exactly one field and all its addresses are in one valid domain
     *         (RFC 7489 §6.6.1 lets a receiver give up on anything else)
     */
    public static Optional<String> of(List<String> fromValues) {
        if (fromValues.size() != 1) {
            return Optional.empty();
        }
        String text = withoutQuotedStrings(withoutComments(fromValues.get(0)));
        Set<String> domains = new LinkedHashSet<>();
        Matcher angle = ANGLE.matcher(text);
        boolean bracketed = false;
        while (angle.find()) {
            bracketed = true;
            domains.add(domainOf(angle.group(1)));
        }
        if (!bracketed) {
            for (String address : text.split(",")) {
                if (!address.isBlank()) {
                    domains.add(domainOf(address));
                }
            }
        }
        if (domains.size() != 1) {
            return Optional.empty();
        }
        String domain = domains.iterator().next();
        return domain == null ? Optional.empty() : Optional.of(domain);
    }

    /** The domain of an address ({@code local@domain}), canonical: lower case, A-labels; null if none. */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        return canonical(address.substring(at + 1));
    }

    /** A domain lower case in A-labels without the trailing dot, or null if it is not a valid host name. */
    public static String canonical(String domain) {
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return d.length() <= 253 && DOMAIN.matcher(d).matches() ? d : null;
    }

    private static String withoutComments(String text) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                if (depth == 0) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (c == '"' && depth == 0) {
                quoted = !quoted;
                out.append(c);
            } else if (c == '(' && !quoted) {
                depth++;
            } else if (c == ')' && !quoted && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String withoutQuotedStrings(String text) {
        return text.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    }
}
