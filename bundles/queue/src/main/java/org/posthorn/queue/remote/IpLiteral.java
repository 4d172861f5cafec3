package org.posthorn.queue.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses IP addresses written as text, never asking DNS (unlike a bare {@link InetAddress#getByName}). */
final class IpLiteral {

    private static final Pattern IPV4 = Pattern.compile(
            "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
    private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$");

    private IpLiteral() {
    }

    /** The address written as {@code 192.0.2.1} or {@code 2001:db8::1}, or null if the text is not one. */
    static InetAddress parse(String text) {
        if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
            return null;
        }
        try {
            // A literal: getByName parses it and asks no resolver.
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The address of an RFC 5321 §4.1.3 address literal, {@code [192.0.2.1]} or
     * {@code [IPv6:2001:db8::1]}, or null if it is malformed.
     */
    static InetAddress parseAddressLiteral(String domain) {
        if (!domain.startsWith("[") || !domain.endsWith("]")) {
            return null;
        }
        String inner = domain.substring(1, domain.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = inner.substring(5);
            return IPV6.matcher(v6).matches() ? parse(v6) : null;
        }
        return IPV4.matcher(inner).matches() ? parse(inner) : null;
    }
}
