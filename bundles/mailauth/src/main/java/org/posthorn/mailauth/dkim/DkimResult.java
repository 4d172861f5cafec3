package org.posthorn.mailauth.dkim;

import java.util.Locale;

/**
 * The outcome of checking one {@code DKIM-Signature} (RFC 8601 §2.7.1 result names).
 *
 * @param result    pass, fail, neutral, temperror or permerror
 * @param domain    the signing domain (d=), or null if the field could not be parsed that far
 * @param selector  the selector (s=), or null
 * @param signature the start of b= (RFC 6008 header.b), or null
 * @param reason    why it did not pass, for the comment in Authentication-Results; null on pass
 */
public record DkimResult(Result result, String domain, String selector, String signature, String reason) {

    public enum Result {
        PASS, FAIL, NEUTRAL, TEMPERROR, PERMERROR;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean passed() {
        return result == Result.PASS;
    }
}
