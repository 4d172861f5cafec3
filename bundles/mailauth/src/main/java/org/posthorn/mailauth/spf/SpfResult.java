package org.posthorn.mailauth.spf;

import java.util.Locale;

/**
 * The result of an SPF check (RFC 7208 §2.6).
 *
 * @param result  the result
 * @param domain  the domain whose policy was checked
 * @param problem for permerror and temperror, what went wrong; otherwise null
 */
public record SpfResult(Result result, String domain, String problem) {

    public enum Result {
        NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

        /** The keyword in {@code Authentication-Results} and {@code Received-SPF}. */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
