package org.posthorn.mailauth.dmarc;

import java.util.Locale;

/**
 * The DMARC evaluation of one message (RFC 7489 §6.6).
 *
 * @param result      pass (an aligned SPF or DKIM pass), fail, none (no policy), temperror or permerror
 * @param fromDomain  the RFC 5322.From domain, or null if the message has no single one
 * @param policy      the policy the domain asks for (p=, or sp= for a subdomain), NONE without a record
 * @param disposition what the domain's policy makes of this message after pct= sampling:
 *                    NONE unless the result is fail
 * @param problem     for temperror and permerror, what went wrong; otherwise null
 */
public record DmarcResult(Result result, String fromDomain, Policy policy, Policy disposition, String problem) {

    public enum Result {
        PASS, FAIL, NONE, TEMPERROR, PERMERROR;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Policy {
        NONE, QUARANTINE, REJECT;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** RFC 7489 §6.6.4: a message not sampled by pct= gets the next less strict policy. */
        Policy lessStrict() {
            return this == REJECT ? QUARANTINE : NONE;
        }
    }
}
