package org.posthorn.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.mailauth.AuthenticationPolicy.DmarcAction;
import org.posthorn.mailauth.dkim.DkimSigner;
import org.posthorn.mailauth.dkim.DkimVerifier;
import org.posthorn.mailauth.dkim.KeyRing;
import org.posthorn.mailauth.dmarc.DmarcEvaluator;
import org.posthorn.mailauth.dmarc.OrganizationalDomain;
import org.posthorn.mailauth.spf.SpfEvaluator;

/**
 * The checks as the SMTP server asks them at the end of the data, with the message as it would
 * be queued (behind the server's Received field), and the queue's quarantine half.
 */
class AuthenticationPolicyTest {

    private static final String RECEIVED = "Received: from mx.sender.example ([192.0.2.5]) by mx.test with ESMTP id 1;\r\n"
            + " Mon, 23 Nov 2026 13:00:00 +0000\r\n";
    private static final MailAddress BOB = MailAddress.parse("bob@mx.test");

    @TempDir
    static Path keyFolder;
    private static TestDns dns;
    private static String signed;

    @BeforeAll
    static void zone() throws Exception {
        dns = new TestDns();
        KeyRing keys = new KeyRing(keyFolder, Map.of());
        dns.txt("ed._domainkey.example.org", DkimSigningFilterTest.record(new DkimKeygenCommand(keys).generate("example.org", "ed", "ed25519")));
        dns.server
                .txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("_dmarc.example.org", "v=DMARC1; p=reject")
                .txt("bank.example", "v=spf1 -all")
                .txt("_dmarc.bank.example", "v=DMARC1; p=reject")
                .txt("shop.example", "v=spf1 -all")
                .txt("_dmarc.shop.example", "v=DMARC1; p=quarantine")
                .txt("mx.sender.example", "v=spf1 a:mx.sender.example -all")
                .a("mx.sender.example", "192.0.2.5")
                .txt("slow.example", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("_dmarc.slow.example", "v=DMARC1; p=reject")
                .silent("s._domainkey.slow.example");
        TestMessage message = DkimSigningFilterTest.submitted(DkimSigningFilterTest.MESSAGE);
        new DkimSigningFilter(keys, new DkimSigner(List.of("from", "to", "subject"), List.of("from")), Clock.systemUTC()).filter(message);
        signed = new String(message.bytes(), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    private static AuthenticationPolicy policy(DmarcAction action) {
        return policy(action, Duration.ofSeconds(10));
    }

    private static AuthenticationPolicy policy(DmarcAction action, Duration dnsBudget) {
        MessageAuthenticator authenticator = new MessageAuthenticator(dns.resolver, dnsBudget, resolver -> new MessageAuthenticator.Checks(
                new DkimVerifier(resolver, Clock.systemUTC(), 5), new SpfEvaluator(resolver),
                new DmarcEvaluator(resolver, new OrganizationalDomain(Set.of()), new Random(1))));
        return new AuthenticationPolicy(authenticator, "mx.test", Set.of("mx"), action);
    }

    private static SessionFacts session(String client, String sender) throws Exception {
        return new SessionFacts("mx", InetAddress.getByName(client), null, "mx.sender.example", true, null,
                sender == null ? null : MailAddress.parse(sender));
    }

    private static PolicyVerdict check(AuthenticationPolicy policy, SessionFacts session, String message) throws Exception {
        return policy.message(session, List.of(BOB), MessageSource.ofBytes((RECEIVED + message).getBytes(StandardCharsets.UTF_8)));
    }

    private static String forged(String domain) {
        return DkimSigningFilterTest.MESSAGE.replace("alice@example.org>", "security@" + domain + ">");
    }

    @Test
    void signedMailFromAnAllowedServerPassesAll() throws Exception {
        PolicyVerdict verdict = check(policy(DmarcAction.ENFORCE), session("192.0.2.5", "alice@example.org"), signed);

        assertThat(verdict.action()).isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(verdict.headers()).singleElement().satisfies(h -> {
            assertThat(h.name()).isEqualTo("Authentication-Results");
            assertThat(h.value()).matches("mx\\.test; dkim=pass header\\.d=example\\.org header\\.s=ed header\\.b=\\S{8};"
                    + " spf=pass smtp\\.mailfrom=alice@example\\.org; dmarc=pass \\(p=reject dis=none\\) header\\.from=example\\.org");
        });
    }

    @Test
    void forgedAuthorOfARejectDomainIsRefusedBeforeAcceptance() throws Exception {
        PolicyVerdict verdict = check(policy(DmarcAction.ENFORCE), session("203.0.113.5", "security@bank.example"), forged("bank.example"));

        assertThat(verdict.reply()).isEqualTo("550 5.7.1 Rejected by the DMARC policy of bank.example");
    }

    @Test
    void aHugeHeaderDoesNotHideTheAuthorFromDmarc() throws Exception {
        String junk = ("X-Filler: " + "x".repeat(1000) + "\r\n").repeat(1100);
        String message = "DKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=s; h=from; bh=AAAA; b=AAAA\r\n"
                + junk + forged("bank.example");

        PolicyVerdict verdict = check(policy(DmarcAction.ENFORCE), session("203.0.113.5", "security@bank.example"), message);
        assertThat(verdict.reply()).isEqualTo("550 5.7.1 Rejected by the DMARC policy of bank.example");

        String results = check(policy(DmarcAction.TAG), session("203.0.113.5", "security@bank.example"), message).headers().get(0).value();
        assertThat(results).startsWith("mx.test; dkim=permerror (header longer than 1048576 bytes); spf=fail");
    }

    @Test
    void whenTheDnsBudgetIsUsedUpTheChecksLeftGiveTemperrorAndTheMessageIsAccepted() throws Exception {
        // the resolver waits 2 s per try for the key that never comes; the budget ends that wait
        // and the SPF and DMARC records, there to be found, are not asked for any more
        String message = "DKIM-Signature: v=1; a=rsa-sha256; d=slow.example; s=s; h=from; bh=AAAA; b=AAAA\r\n"
                + DkimSigningFilterTest.MESSAGE.replace("alice@example.org>", "alice@slow.example>");

        PolicyVerdict verdict = check(policy(DmarcAction.ENFORCE, Duration.ofMillis(300)),
                session("192.0.2.5", "alice@slow.example"), message);

        assertThat(verdict.action()).isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(verdict.headers().get(0).value()).isEqualTo("mx.test;"
                + " dkim=temperror (key lookup failed: the DNS time budget of 300 ms for this message is used up)"
                + " header.d=slow.example header.s=s header.b=AAAA;"
                + " spf=temperror (DNS lookup of slow.example failed: the DNS time budget of 300 ms for this message is used up)"
                + " smtp.mailfrom=alice@slow.example;"
                + " dmarc=temperror (DNS lookup failed: the DNS time budget of 300 ms for this message is used up)"
                + " header.from=slow.example");
    }

    @Test
    void tagOnlyAcceptsAndSaysWhatFailed() throws Exception {
        PolicyVerdict verdict = check(policy(DmarcAction.TAG), session("203.0.113.5", "security@bank.example"), forged("bank.example"));

        assertThat(verdict.action()).isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(verdict.headers().get(0).value()).isEqualTo("mx.test; dkim=none; spf=fail smtp.mailfrom=security@bank.example;"
                + " dmarc=fail (p=reject dis=none) header.from=bank.example");
    }

    @Test
    void brokenSignatureIsReportedWithItsReason() throws Exception {
        PolicyVerdict verdict = check(policy(DmarcAction.TAG), session("192.0.2.5", "alice@example.org"),
                signed.replace("the usual place", "a new place"));

        assertThat(verdict.headers().get(0).value()).contains("dkim=fail (body hash did not verify) header.d=example.org")
                .contains("dmarc=pass");
    }

    @Test
    void nullSenderIsCheckedByItsHeloName() throws Exception {
        PolicyVerdict verdict = check(policy(DmarcAction.TAG), session("192.0.2.5", null), forged("shop.example"));

        assertThat(verdict.headers().get(0).value()).contains("spf=pass smtp.helo=mx.sender.example")
                .contains("dmarc=fail (p=quarantine dis=none) header.from=shop.example");
    }

    @Test
    void quarantinedMailGoesIntoJunk() throws Exception {
        for (DmarcAction action : List.of(DmarcAction.QUARANTINE, DmarcAction.ENFORCE)) {
            PolicyVerdict verdict = check(policy(action), session("203.0.113.5", "x@shop.example"), forged("shop.example"));
            String results = verdict.headers().get(0).value();
            assertThat(results).contains("dmarc=fail (p=quarantine dis=quarantine) header.from=shop.example");

            TestMessage queued = queued("Authentication-Results: " + results + "\r\n" + RECEIVED + forged("shop.example"));
            new QuarantineFilter("mx.test", Set.of("mx"), "Junk").filter(queued);

            assertThat(queued.mailboxOf(BOB)).as(action.name()).isEqualTo("Junk");
        }
    }

    @Test
    void quarantineActionTurnsRejectIntoJunk() throws Exception {
        PolicyVerdict verdict = check(policy(DmarcAction.QUARANTINE), session("203.0.113.5", "x@bank.example"), forged("bank.example"));

        assertThat(verdict.action()).isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(verdict.headers().get(0).value()).contains("dmarc=fail (p=reject dis=quarantine)");
    }

    @Test
    void passingOrTagOnlyMailStaysInTheInbox() throws Exception {
        TestMessage queued = queued("Authentication-Results: mx.test; dkim=none; spf=fail smtp.mailfrom=x@shop.example;"
                + " dmarc=fail (p=quarantine dis=none) header.from=shop.example\r\n" + RECEIVED + forged("shop.example"));

        new QuarantineFilter("mx.test", Set.of("mx"), "Junk").filter(queued);

        assertThat(queued.mailboxOf(BOB)).isNull();
    }

    @Test
    void resultsClaimingOurNameFromOutsideAreRemoved() throws Exception {
        String ours = "mx.test; dkim=none; spf=pass smtp.mailfrom=a@example.org; dmarc=pass (p=reject dis=none) header.from=example.org";
        TestMessage queued = queued("Authentication-Results: " + ours + "\r\n" + RECEIVED
                + "Authentication-Results: mx.test; dmarc=fail (p=reject dis=quarantine) header.from=example.org\r\n"
                + DkimSigningFilterTest.MESSAGE);

        new QuarantineFilter("mx.test", Set.of("mx"), "Junk").filter(queued);

        assertThat(queued.header("Authentication-Results")).containsExactly(ours);
        assertThat(queued.mailboxOf(BOB)).isNull();
    }

    @Test
    void onlyUnauthenticatedSessionsOnTheCheckedListenersAreAsked() throws Exception {
        AuthenticationPolicy policy = policy(DmarcAction.TAG);
        InetAddress client = InetAddress.getByName("192.0.2.5");

        assertThat(policy.appliesTo(new SessionFacts("mx", client, null, "h", false, null, null))).isTrue();
        assertThat(policy.appliesTo(new SessionFacts("mx", client, null, "h", true, "alice", null))).isFalse();
        assertThat(policy.appliesTo(new SessionFacts("submission", client, null, "h", true, null, null))).isFalse();
    }

    private static TestMessage queued(String message) throws Exception {
        return new TestMessage(message, TestMessage.envelope("x@shop.example", BOB.toString(),
                TestMessage.origin("mx", "203.0.113.5", "mx.sender.example", null)));
    }
}
