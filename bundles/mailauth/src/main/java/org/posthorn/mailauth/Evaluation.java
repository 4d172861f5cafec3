package org.posthorn.mailauth;

import java.util.List;

import org.posthorn.mailauth.dkim.DkimResult;
import org.posthorn.mailauth.dmarc.DmarcResult;
import org.posthorn.mailauth.spf.SpfResult;

/**
 * Everything checked of one incoming message: DKIM signatures, SPF of the envelope sender (or of
 * the HELO name for the null sender) and DMARC of the author domain.
 *
 * @param dkim        one result per signature checked, empty if none
 * @param spf         the SPF result
 * @param spfIdentity the address checked: {@code smtp.mailfrom}, or {@code postmaster@<helo>}
 * @param heloChecked true if SPF checked the HELO name because the sender was null
 * @param dmarc       the DMARC result
 */
public record Evaluation(List<DkimResult> dkim, SpfResult spf, String spfIdentity, boolean heloChecked, DmarcResult dmarc) {

    /** The same results with another DMARC disposition: what this server does, rather than what the domain asked. */
    public Evaluation withDisposition(DmarcResult.Policy disposition) {
        return new Evaluation(dkim, spf, spfIdentity, heloChecked, new DmarcResult(dmarc.result(), dmarc.fromDomain(),
                dmarc.policy(), disposition, dmarc.problem()));
    }

    /**
     * The value of an {@code Authentication-Results} field (RFC 8601 §2.2), one line:
     * {@code host; dkim=pass header.d=... ; spf=pass smtp.mailfrom=...; dmarc=pass (p=none dis=none) header.from=...}.
     */
    public String authenticationResults(String authservId) {
        StringBuilder out = new StringBuilder(authservId);
        if (dkim.isEmpty()) {
            out.append("; dkim=none");
        }
        for (DkimResult d : dkim) {
            out.append("; dkim=").append(d.result().keyword()).append(comment(d.reason()));
            if (d.domain() != null) {
                out.append(" header.d=").append(d.domain());
            }
            if (d.selector() != null) {
                out.append(" header.s=").append(value(d.selector()));
            }
            if (d.signature() != null && !d.signature().isEmpty()) {
                out.append(" header.b=").append(value(d.signature()));
            }
        }
        out.append("; spf=").append(spf.result().keyword()).append(comment(spf.problem()))
                .append(heloChecked ? " smtp.helo=" + value(spf.domain()) : " smtp.mailfrom=" + value(spfIdentity));
        out.append("; dmarc=").append(dmarc.result().keyword());
        if (dmarc.result() == DmarcResult.Result.PASS || dmarc.result() == DmarcResult.Result.FAIL) {
            out.append(" (p=").append(dmarc.policy().keyword()).append(" dis=").append(dmarc.disposition().keyword()).append(')');
        } else {
            out.append(comment(dmarc.problem()));
        }
        if (dmarc.fromDomain() != null) {
            out.append(" header.from=").append(dmarc.fromDomain());
        }
        return out.toString();
    }

    /** A comment in parentheses, without characters that would end it or the line early. */
    private static String comment(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        return " (" + text.replaceAll("[()\\\\\\p{Cntrl}]", " ").replaceAll(" +", " ").strip() + ")";
    }

    /** RFC 8601 §2.2: a value that is not a token is written as a quoted string. */
    static String value(String text) {
        if (text.matches("[A-Za-z0-9!#$%&'*+\\-./=?^_`{|}~@]+")) {
            return text;
        }
        return '"' + text.replaceAll("[\\p{Cntrl}]", " ").replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
