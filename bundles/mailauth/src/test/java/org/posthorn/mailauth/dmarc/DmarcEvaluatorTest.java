package org.posthorn.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posthorn.mailauth.TestDns;
import org.posthorn.mailauth.dkim.DkimResult;
import org.posthorn.mailauth.dmarc.DmarcResult.Policy;
import org.posthorn.mailauth.dmarc.DmarcResult.Result;
import org.posthorn.mailauth.spf.SpfResult;

class DmarcEvaluatorTest {

    private static TestDns dns;
    private static DmarcEvaluator dmarc;

    private static final SpfResult SPF_NONE = new SpfResult(SpfResult.Result.NONE, "bulk.example", null);

    @BeforeAll
    static void zone() throws Exception {
        dns = new TestDns();
        dns.server
                .txt("_dmarc.example.org", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.org")
                .txt("_dmarc.strict.example", "v=DMARC1; p=quarantine; adkim=s; aspf=s")
                .txt("_dmarc.sampled.example", "v=DMARC1; p=reject; pct=0")
                .txt("_dmarc.twice.example", "v=DMARC1; p=reject")
                .txt("_dmarc.twice.example", "v=DMARC1; p=none")
                .txt("_dmarc.nop.example", "v=DMARC1; adkim=s")
                .txt("_dmarc.reportonly.example", "v=DMARC1; rua=mailto:r@reportonly.example")
                .txt("_dmarc.shop.co.uk", "v=DMARC1; p=reject")
                .txt("_dmarc.other.example", "some verification token")
                .servfail("_dmarc.broken.example");
        dmarc = new DmarcEvaluator(dns.resolver, new OrganizationalDomain(Set.of()), new Random(1));
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    private static DkimResult dkimPass(String domain) {
        return new DkimResult(DkimResult.Result.PASS, domain, "s1", "abcdefgh", null);
    }

    private static SpfResult spfPass(String domain) {
        return new SpfResult(SpfResult.Result.PASS, domain, null);
    }

    @Test
    void alignedDkimPassesRelaxedAcrossSubdomains() {
        DmarcResult result = dmarc.evaluate("news.example.org", List.of(dkimPass("example.org")), SPF_NONE, "bulk.example");

        assertThat(result.result()).isEqualTo(Result.PASS);
        assertThat(result.disposition()).isEqualTo(Policy.NONE);
    }

    @Test
    void alignedSpfPassesToo() {
        assertThat(dmarc.evaluate("example.org", List.of(), spfPass("bounces.example.org"), "bounces.example.org").result())
                .isEqualTo(Result.PASS);
    }

    @Test
    void unalignedPassesFailAndRejectIsTheDisposition() {
        DmarcResult result = dmarc.evaluate("example.org", List.of(dkimPass("mailer.example")), spfPass("mailer.example"), "mailer.example");

        assertThat(result).extracting(DmarcResult::result, DmarcResult::policy, DmarcResult::disposition)
                .containsExactly(Result.FAIL, Policy.REJECT, Policy.REJECT);
    }

    @Test
    void failedDkimOfTheRightDomainDoesNotCount() {
        DkimResult failed = new DkimResult(DkimResult.Result.FAIL, "example.org", "s1", "x", "body hash did not verify");

        assertThat(dmarc.evaluate("example.org", List.of(failed), SPF_NONE, "bulk.example").result()).isEqualTo(Result.FAIL);
    }

    @Test
    void subdomainWithoutRecordGetsTheOrganizationsSubdomainPolicy() {
        DmarcResult result = dmarc.evaluate("shop.example.org", List.of(), SPF_NONE, "bulk.example");

        assertThat(result).extracting(DmarcResult::result, DmarcResult::policy).containsExactly(Result.FAIL, Policy.QUARANTINE);
    }

    @Test
    void strictAlignmentNeedsTheExactDomain() {
        assertThat(dmarc.evaluate("mail.strict.example", List.of(dkimPass("strict.example")), spfPass("strict.example"), "strict.example")
                .result()).isEqualTo(Result.FAIL);
        assertThat(dmarc.evaluate("strict.example", List.of(dkimPass("strict.example")), SPF_NONE, "bulk.example").result())
                .isEqualTo(Result.PASS);
    }

    @Test
    void messagesOutsideThePercentageGetTheNextLessStrictPolicy() {
        DmarcResult result = dmarc.evaluate("sampled.example", List.of(), SPF_NONE, "bulk.example");

        assertThat(result).extracting(DmarcResult::policy, DmarcResult::disposition).containsExactly(Policy.REJECT, Policy.QUARANTINE);
    }

    @Test
    void noUsableRecordIsNone() {
        assertThat(dmarc.evaluate("nxdomain.example", List.of(), SPF_NONE, "x").result()).isEqualTo(Result.NONE);
        assertThat(dmarc.evaluate("other.example", List.of(), SPF_NONE, "x").result()).isEqualTo(Result.NONE);
        assertThat(dmarc.evaluate("twice.example", List.of(), SPF_NONE, "x").result()).isEqualTo(Result.NONE);
        assertThat(dmarc.evaluate("nop.example", List.of(), SPF_NONE, "x").result()).isEqualTo(Result.NONE);
    }

    @Test
    void recordWithReportAddressButNoPolicyMeansPolicyNone() {
        assertThat(dmarc.evaluate("reportonly.example", List.of(), SPF_NONE, "x"))
                .extracting(DmarcResult::result, DmarcResult::policy).containsExactly(Result.FAIL, Policy.NONE);
    }

    @Test
    void twoLabelPublicSuffixesKeepOrganizationsApart() {
        DmarcResult result = dmarc.evaluate("shop.co.uk", List.of(dkimPass("other.co.uk")), SPF_NONE, "x");

        assertThat(result).extracting(DmarcResult::result, DmarcResult::policy).containsExactly(Result.FAIL, Policy.REJECT);
        assertThat(new OrganizationalDomain(Set.of()).of("www.shop.co.uk")).isEqualTo("shop.co.uk");
        assertThat(new OrganizationalDomain(Set.of("pages.example")).of("alice.pages.example")).isEqualTo("alice.pages.example");
    }

    @Test
    void dnsFailureIsTemperrorAndNoFromIsPermerror() {
        assertThat(dmarc.evaluate("broken.example", List.of(), SPF_NONE, "x").result()).isEqualTo(Result.TEMPERROR);
        assertThat(dmarc.evaluate(null, List.of(), SPF_NONE, "x").result()).isEqualTo(Result.PERMERROR);
    }
}
