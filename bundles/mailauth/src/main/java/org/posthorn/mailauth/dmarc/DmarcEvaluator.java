package org.posthorn.mailauth.dmarc;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.random.RandomGenerator;

import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.mailauth.dkim.DkimResult;
import org.posthorn.mailauth.dkim.TagList;
import org.posthorn.mailauth.dmarc.DmarcResult.Policy;
import org.posthorn.mailauth.dmarc.DmarcResult.Result;
import org.posthorn.mailauth.spf.SpfResult;

/**
 * DMARC (RFC 7489): finds the policy of the author's domain (or of its organizational domain),
 * checks whether an SPF or DKIM pass is aligned with it (relaxed or strict, as the record says),
 * and applies p=, sp= and pct=. Reports (rua=, ruf=) are not sent. Thread-safe.
 */
public final class DmarcEvaluator {

    private final DnsResolver dns;
    private final OrganizationalDomain organizational;
    private final RandomGenerator random;

    public DmarcEvaluator(DnsResolver dns, OrganizationalDomain organizational, RandomGenerator random) {
        this.dns = dns;
        this.organizational = organizational;
        this.random = random;
    }

    /** A policy record: the tags that matter here. */
    record Record(Policy policy, Policy subdomainPolicy, boolean strictDkim, boolean strictSpf, int percent) {
    }

    /**
     * @param fromDomain the RFC 5322.From domain, or null if the message has none or several
     * @param dkim       the results of its DKIM signatures
     * @param spf        the SPF result
     * @param spfDomain  the domain SPF checked (MAIL FROM, or HELO for the null sender)
     */
    public DmarcResult evaluate(String fromDomain, List<DkimResult> dkim, SpfResult spf, String spfDomain) {
        if (fromDomain == null) {
            return new DmarcResult(Result.PERMERROR, null, Policy.NONE, Policy.NONE, "no single From: domain");
        }
        String organization = organizational.of(fromDomain);
        Optional<Record> record;
        boolean atOrganization = false;
        try {
            record = lookup(fromDomain);
            if (record.isEmpty() && !organization.equals(fromDomain)) {
                record = lookup(organization);
                atOrganization = true;
            }
        } catch (DnsLookupException e) {
            return new DmarcResult(Result.TEMPERROR, fromDomain, Policy.NONE, Policy.NONE, "DNS lookup failed: " + e.getMessage());
        }
        if (record.isEmpty()) {
            return new DmarcResult(Result.NONE, fromDomain, Policy.NONE, Policy.NONE, null);
        }
        Record r = record.get();
        Policy policy = atOrganization && r.subdomainPolicy() != null ? r.subdomainPolicy() : r.policy();
        boolean dkimAligned = dkim.stream().anyMatch(d -> d.passed() && d.domain() != null
                && aligned(d.domain(), fromDomain, r.strictDkim()));
        boolean spfAligned = spf.result() == SpfResult.Result.PASS && spfDomain != null
                && aligned(spfDomain.toLowerCase(Locale.ROOT), fromDomain, r.strictSpf());
        if (dkimAligned || spfAligned) {
            return new DmarcResult(Result.PASS, fromDomain, policy, Policy.NONE, null);
        }
        Policy disposition = r.percent() < 100 && random.nextInt(100) >= r.percent() ? policy.lessStrict() : policy;
        return new DmarcResult(Result.FAIL, fromDomain, policy, disposition, null);
    }

    private boolean aligned(String domain, String fromDomain, boolean strict) {
        return strict ? domain.equals(fromDomain) : organizational.aligned(domain, fromDomain);
    }

    /**
     * RFC 7489 §6.6.3: the one valid record at {@code _dmarc.<domain>}; none if there are none or
     * several. NXDOMAIN is no record; a temporary failure is thrown.
     */
    private Optional<Record> lookup(String domain) throws DnsLookupException {
        List<String> texts;
        try {
            texts = dns.txt("_dmarc." + domain);
        } catch (DnsLookupException e) {
            if (e.kind() == DnsLookupException.Kind.NO_SUCH_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        }
        List<Record> records = texts.stream().map(DmarcEvaluator::parse).flatMap(Optional::stream).toList();
        return records.size() == 1 ? Optional.of(records.get(0)) : Optional.empty();
    }

    /** A record, or empty if the text is not a usable DMARC record. */
    static Optional<Record> parse(String text) {
        if (!text.strip().matches("(?s)v\\s*=\\s*DMARC1\\s*(;.*)?")) {
            return Optional.empty();
        }
        TagList tags;
        try {
            tags = TagList.parse(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Policy policy = policy(tags.get("p").orElse(null));
        if (policy == null) {
            // §6.6.3: without a valid p=, a record with a valid rua= counts as p=none; otherwise it is ignored
            if (tags.get("rua").isEmpty()) {
                return Optional.empty();
            }
            policy = Policy.NONE;
        }
        int percent = 100;
        String pct = tags.get("pct").orElse("100");
        if (pct.matches("\\d{1,3}")) {
            percent = Math.min(100, Integer.parseInt(pct));
        }
        return Optional.of(new Record(policy, policy(tags.get("sp").orElse(null)),
                tags.get("adkim").map("s"::equalsIgnoreCase).orElse(false),
                tags.get("aspf").map("s"::equalsIgnoreCase).orElse(false), percent));
    }

    private static Policy policy(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> Policy.NONE;
            case "quarantine" -> Policy.QUARANTINE;
            case "reject" -> Policy.REJECT;
            default -> null;
        };
    }
}
