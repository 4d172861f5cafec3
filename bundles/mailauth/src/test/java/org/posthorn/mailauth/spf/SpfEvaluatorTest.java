package org.posthorn.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posthorn.mailauth.TestDns;
import org.posthorn.mailauth.spf.SpfResult.Result;

/** Small cases in the spirit of the RFC 7208 test suite, every answer from a loopback DNS. */
class SpfEvaluatorTest {

    private static TestDns dns;
    private static SpfEvaluator spf;

    @BeforeAll
    static void zone() throws Exception {
        dns = new TestDns();
        dns.server
                .txt("ip.example", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")
                .txt("soft.example", "v=spf1 ip4:192.0.2.1 ~all")
                .txt("neutral.example", "v=spf1 ?all")
                .txt("nothing.example", "v=spf1 ip4:192.0.2.1")
                .txt("norecord.example", "some other text")
                .txt("two.example", "v=spf1 -all")
                .txt("two.example", "v=spf1 +all")
                .txt("amx.example", "v=spf1 a/24 mx:mail.amx.example -all")
                .a("amx.example", "198.51.100.1")
                .mx("mail.amx.example", 10, "mx1.amx.example")
                .a("mx1.amx.example", "203.0.113.9")
                .txt("inc.example", "v=spf1 include:ip.example -all")
                .txt("incnone.example", "v=spf1 include:norecord.example -all")
                .txt("redir.example", "v=spf1 redirect=ip.example")
                .txt("redirnone.example", "v=spf1 redirect=norecord.example")
                .txt("macro.example", "v=spf1 exists:%{ir}.%{v}._spf.%{d2} exists:%{l1r-}.users.%{d} -all")
                .a("10.2.0.192.in-addr._spf.macro.example", "127.0.0.2")
                .a("bob.users.macro.example", "127.0.0.2")
                // RFC 7208 §7.4: %{ir} of 2001:db8::cb01 is its 32 nibbles, reversed
                .a("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.macro.example", "127.0.0.2")
                .txt("ptr.example", "v=spf1 ptr -all")
                .ptr("192.0.2.77", "host.ptr.example")
                .a("host.ptr.example", "192.0.2.77")
                .ptr("192.0.2.78", "liar.ptr.example")
                .txt("voids.example", "v=spf1 a:n1.voids.example a:n2.voids.example a:n3.voids.example +all")
                .txt("unknown.example", "v=spf1 +all foo:bar")
                .txt("mods.example", "v=spf1 moo=cow exp=explain.%{d} +all")
                .txt("cidr.example", "v=spf1 ip4:192.0.2.10/33 +all")
                .servfail("broken.example");
        // eleven includes in a row: one lookup too many
        for (int i = 0; i < 11; i++) {
            dns.server.txt("l" + i + ".loop.example", "v=spf1 include:l" + (i + 1) + ".loop.example -all");
        }
        dns.server.txt("l11.loop.example", "v=spf1 +all");
        spf = new SpfEvaluator(dns.resolver);
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    private static Result check(String ip, String sender) throws Exception {
        return spf.check(InetAddress.getByName(ip), sender, "client.example").result();
    }

    @Test
    void ipMechanismsMatchTheirNetworks() throws Exception {
        assertThat(check("192.0.2.10", "a@ip.example")).isEqualTo(Result.PASS);
        assertThat(check("2001:db8::25", "a@ip.example")).isEqualTo(Result.PASS);
        assertThat(check("198.51.100.10", "a@ip.example")).isEqualTo(Result.FAIL);
        assertThat(check("2001:db9::25", "a@ip.example")).isEqualTo(Result.FAIL);
    }

    @Test
    void qualifiersGiveTheirResultsAndNoMatchIsNeutral() throws Exception {
        assertThat(check("198.51.100.10", "a@soft.example")).isEqualTo(Result.SOFTFAIL);
        assertThat(check("198.51.100.10", "a@neutral.example")).isEqualTo(Result.NEUTRAL);
        assertThat(check("198.51.100.10", "a@nothing.example")).isEqualTo(Result.NEUTRAL);
    }

    @Test
    void noRecordIsNoneAndTwoRecordsArePermerror() throws Exception {
        assertThat(check("192.0.2.10", "a@norecord.example")).isEqualTo(Result.NONE);
        assertThat(check("192.0.2.10", "a@nxdomain.example")).isEqualTo(Result.NONE);
        assertThat(check("192.0.2.10", "a@localhost")).isEqualTo(Result.NONE);
        assertThat(check("192.0.2.10", "a@two.example")).isEqualTo(Result.PERMERROR);
    }

    @Test
    void aAndMxMechanismsWithPrefixes() throws Exception {
        assertThat(check("198.51.100.200", "a@amx.example")).isEqualTo(Result.PASS);
        assertThat(check("203.0.113.9", "a@amx.example")).isEqualTo(Result.PASS);
        assertThat(check("203.0.113.10", "a@amx.example")).isEqualTo(Result.FAIL);
    }

    @Test
    void includeMatchesOnPassOnlyAndNeedsARecord() throws Exception {
        assertThat(check("192.0.2.10", "a@inc.example")).isEqualTo(Result.PASS);
        assertThat(check("198.51.100.10", "a@inc.example")).isEqualTo(Result.FAIL);
        assertThat(check("192.0.2.10", "a@incnone.example")).isEqualTo(Result.PERMERROR);
    }

    @Test
    void redirectTakesTheTargetsResultAndNeedsARecord() throws Exception {
        assertThat(check("192.0.2.10", "a@redir.example")).isEqualTo(Result.PASS);
        assertThat(check("198.51.100.10", "a@redir.example")).isEqualTo(Result.FAIL);
        assertThat(check("192.0.2.10", "a@redirnone.example")).isEqualTo(Result.PERMERROR);
    }

    @Test
    void macrosExpandAsRfc7208Section7Says() throws Exception {
        // %{ir}.%{v}._spf.%{d2} for 192.0.2.10 is 10.2.0.192.in-addr._spf.macro.example
        assertThat(check("192.0.2.10", "someone@macro.example")).isEqualTo(Result.PASS);
        // %{l1r-} of "bob-smith" (split at '-', reversed, the rightmost kept) is "bob", as "strong-bad" gives "strong" in §7.4
        assertThat(check("198.51.100.1", "bob-smith@macro.example")).isEqualTo(Result.PASS);
        assertThat(check("198.51.100.1", "alice@macro.example")).isEqualTo(Result.FAIL);
        assertThat(check("2001:db8::cb01", "someone@macro.example")).isEqualTo(Result.PASS);
    }

    @Test
    void ptrMatchesOnlyValidatedNames() throws Exception {
        assertThat(check("192.0.2.77", "a@ptr.example")).isEqualTo(Result.PASS);
        assertThat(check("192.0.2.78", "a@ptr.example")).isEqualTo(Result.FAIL);
    }

    @Test
    void moreThanTenLookupsIsPermerror() throws Exception {
        assertThat(check("192.0.2.10", "a@l1.loop.example")).isEqualTo(Result.PASS);
        SpfResult result = spf.check(InetAddress.getByName("192.0.2.10"), "a@l0.loop.example", "x");
        assertThat(result.result()).isEqualTo(Result.PERMERROR);
        assertThat(result.problem()).isEqualTo("more than 10 DNS lookups");
    }

    @Test
    void moreThanTwoVoidLookupsIsPermerror() throws Exception {
        SpfResult result = spf.check(InetAddress.getByName("192.0.2.10"), "a@voids.example", "x");
        assertThat(result.result()).isEqualTo(Result.PERMERROR);
        assertThat(result.problem()).isEqualTo("more than 2 void DNS lookups");
    }

    @Test
    void syntaxErrorAnywhereIsPermerrorEvenAfterAMatch() throws Exception {
        assertThat(check("192.0.2.10", "a@unknown.example")).isEqualTo(Result.PERMERROR);
        assertThat(check("192.0.2.10", "a@cidr.example")).isEqualTo(Result.PERMERROR);
    }

    @Test
    void unknownModifiersAndExpAreIgnored() throws Exception {
        assertThat(check("192.0.2.10", "a@mods.example")).isEqualTo(Result.PASS);
    }

    @Test
    void dnsFailureIsTemperror() throws Exception {
        assertThat(check("192.0.2.10", "a@broken.example")).isEqualTo(Result.TEMPERROR);
    }
}
