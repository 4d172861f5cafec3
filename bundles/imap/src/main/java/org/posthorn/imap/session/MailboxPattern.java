package org.posthorn.imap.session;

import java.util.regex.Pattern;

/**
 * A LIST pattern (RFC 9051 §6.3.9): {@code *} matches anything, {@code %} anything but the
 * hierarchy delimiter {@code /}. {@code INBOX} as the first level matches in any case, as the
 * name INBOX is case-insensitive.
 */
final class MailboxPattern {

    private final Pattern regex;

    MailboxPattern(String pattern) {
        String normalized = pattern;
        if (pattern.regionMatches(true, 0, "INBOX", 0, 5)
                && (pattern.length() == 5 || pattern.charAt(5) == '/')) {
            normalized = "INBOX" + pattern.substring(5);
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < normalized.length(); i++) {
            char c = normalized.charAt(i);
            if (c == '*' || c == '%') {
                sb.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                sb.append(c == '*' ? ".*" : "[^/]*");
            } else {
                literal.append(c);
            }
        }
        sb.append(Pattern.quote(literal.toString()));
        regex = Pattern.compile(sb.toString(), Pattern.DOTALL);
    }

    boolean matches(String name) {
        return regex.matcher(name).matches();
    }
}
