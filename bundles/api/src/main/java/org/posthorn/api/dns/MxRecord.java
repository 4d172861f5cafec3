package org.posthorn.api.dns;

import java.util.Locale;

/**
 * One MX record.
 *
 * @param preference lower is tried first (RFC 5321 §5.1)
 * @param host       the exchange's host name, lower case, without the trailing dot; empty for
 *                   the root name "." of a null MX (RFC 7505)
 */
public record MxRecord(int preference, String host) {

    public MxRecord {
        host = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        host = host.toLowerCase(Locale.ROOT);
    }

    /** RFC 7505 §3: the exchange is the root name, so the domain accepts no mail. */
    public boolean isNullMx() {
        return host.isEmpty();
    }
}
