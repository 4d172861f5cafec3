package org.posthorn.sieve.script;

import java.util.ArrayList;
import java.util.List;

/**
 * The addr-specs of an address header (RFC 5322 §3.4) as the address test sees them: display
 * names, comments, routes and group names dropped.
 */
final class Addresses {

    private Addresses() {
    }

    static List<String> parse(String value) {
        List<String> addresses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int comment = 0;
        boolean quoted = false;
        boolean angle = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < value.length()) {
                    current.append(c);
                    c = value.charAt(++i);
                } else if (c == '"') {
                    quoted = false;
                }
                current.append(c);
            } else if (comment > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    comment++;
                } else if (c == ')') {
                    comment--;
                }
            } else if (c == '(') {
                comment = 1;
            } else if (c == '"') {
                quoted = true;
                current.append(c);
            } else if (c == '<') {
                angle = true;
                current.append(c);
            } else if (c == '>') {
                angle = false;
                current.append(c);
            } else if (!angle && (c == ',' || c == ';')) {
                add(addresses, current);
            } else if (!angle && c == ':') {
                current.setLength(0); // a group's display name
            } else {
                current.append(c);
            }
        }
        add(addresses, current);
        return addresses;
    }

    private static void add(List<String> addresses, StringBuilder element) {
        String text = element.toString().strip();
        element.setLength(0);
        int open = text.lastIndexOf('<');
        int close = text.lastIndexOf('>');
        if (open >= 0 && close > open) {
            text = text.substring(open + 1, close).strip();
            int route = text.indexOf(':');
            if (text.startsWith("@") && route > 0) {
                text = text.substring(route + 1);
            }
        }
        text = text.replaceAll("\\s+", "");
        if (!text.isEmpty()) {
            addresses.add(text);
        }
    }

    /** RFC 5228 §2.7.4: the part of an address the test compares. */
    static String part(String address, String part) {
        int at = address.lastIndexOf('@');
        return switch (part) {
            case "localpart" -> at < 0 ? address : address.substring(0, at);
            case "domain" -> at < 0 ? "" : address.substring(at + 1);
            default -> address;
        };
    }
}
