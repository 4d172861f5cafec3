package org.posthorn.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.mailauth.TestDns;
import org.posthorn.mailauth.dkim.DkimResult.Result;

class DkimVerifierTest {

    private static TestDns dns;
    private static DkimVerifier verifier;

    @BeforeAll
    static void zone() throws Exception {
        dns = new TestDns()
                .txt("brisbane._domainkey." + Rfc8463.DOMAIN, Rfc8463.ED25519_RECORD)
                .txt("test._domainkey." + Rfc8463.DOMAIN, Rfc8463.RSA_RECORD);
        dns.server.servfail("broken._domainkey.example.org");
        verifier = new DkimVerifier(dns.resolver, Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC), 5);
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @Test
    void rfc8463MessagePassesWithBothAlgorithms() throws Exception {
        List<DkimResult> results = verifier.verify(source(Rfc8463.SIGNED));

        assertThat(results).extracting(DkimResult::result).containsExactly(Result.PASS, Result.PASS);
        assertThat(results).extracting(DkimResult::selector).containsExactly("brisbane", "test");
        assertThat(results.get(0).domain()).isEqualTo(Rfc8463.DOMAIN);
        assertThat(results.get(0).signature()).isEqualTo("/gCrinpc");
    }

    @Test
    void rfc8463BodyHashIsReproduced() throws Exception {
        byte[] hash = DkimSigner.bodyHash(new ByteArrayInputStream(Rfc8463.UNSIGNED.getBytes(StandardCharsets.US_ASCII)));
        assertThat(Base64.getEncoder().encodeToString(hash)).isEqualTo(Rfc8463.BODY_HASH);
    }

    @Test
    void changedBodyFailsOnTheBodyHash() throws Exception {
        List<DkimResult> results = verifier.verify(source(Rfc8463.SIGNED.replace("hungry", "thirsty")));

        assertThat(results).extracting(DkimResult::result).containsExactly(Result.FAIL, Result.FAIL);
        assertThat(results.get(0).reason()).isEqualTo("body hash did not verify");
    }

    @Test
    void changedSignedHeaderFailsOnTheSignature() throws Exception {
        List<DkimResult> results = verifier.verify(source(Rfc8463.SIGNED.replace("Is dinner ready?", "Is lunch ready?")));

        assertThat(results).extracting(DkimResult::result).containsExactly(Result.FAIL, Result.FAIL);
        assertThat(results.get(1).reason()).isEqualTo("signature did not verify");
    }

    @Test
    void addedFieldThatWasOversignedFails() throws Exception {
        // h= names from, subject and date twice: a second Subject: added below breaks both signatures
        String forged = Rfc8463.SIGNED.replace("Subject: Is dinner ready?\r\n", "Subject: Is dinner ready?\r\nSubject: Win!\r\n");

        assertThat(verifier.verify(source(forged))).extracting(DkimResult::result).containsExactly(Result.FAIL, Result.FAIL);
    }

    @Test
    void refoldedAndRespacedHeadersStillPassUnderRelaxed() throws Exception {
        String refolded = Rfc8463.SIGNED.replace("Subject: Is dinner ready?", "subject:   Is dinner\r\n\tready?  ");

        assertThat(verifier.verify(source(refolded))).extracting(DkimResult::result).containsExactly(Result.PASS, Result.PASS);
    }

    @Test
    void bodyShorterThanItsLengthTagFails() throws Exception {
        String limited = Rfc8463.SIGNED.replace("t=1528637909;", "t=1528637909; l=9999;");

        assertThat(verifier.verify(source(limited)).get(0))
                .extracting(DkimResult::result, DkimResult::reason).containsExactly(Result.FAIL, "body shorter than l=");
    }

    @Test
    void messageWithoutSignatureHasNoResults() throws Exception {
        assertThat(verifier.verify(source(Rfc8463.UNSIGNED))).isEmpty();
    }

    @Test
    void missingKeyIsPermerrorAndDnsFailureTemperror() throws Exception {
        String unknown = Rfc8463.SIGNED.replace("s=brisbane", "s=nokey");
        assertThat(verifier.verify(source(unknown)).get(0))
                .extracting(DkimResult::result, DkimResult::reason).containsExactly(Result.PERMERROR, "no key for signature");

        String broken = "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=broken; h=from; bh=AAAA; b=AAAA\r\n"
                + Rfc8463.UNSIGNED;
        assertThat(verifier.verify(source(broken)).get(0).result()).isEqualTo(Result.TEMPERROR);
    }

    @Test
    void rsaSha1IsNotAccepted() throws Exception {
        String sha1 = Rfc8463.SIGNED.replace("a=rsa-sha256", "a=rsa-sha1");

        assertThat(verifier.verify(source(sha1)).get(1))
                .extracting(DkimResult::result, DkimResult::reason)
                .containsExactly(Result.PERMERROR, "rsa-sha1 is not accepted (RFC 8301)");
    }

    @Test
    void expiredSignatureFails() throws Exception {
        String expired = Rfc8463.SIGNED.replace("t=1528637909;", "t=1528637909; x=1528637999;");

        assertThat(verifier.verify(source(expired)).get(0))
                .extracting(DkimResult::result, DkimResult::reason).containsExactly(Result.FAIL, "signature expired");
    }

    @Test
    void malformedSignatureIsPermerror() throws Exception {
        String malformed = "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; d=example.com\r\n" + Rfc8463.UNSIGNED;

        assertThat(verifier.verify(source(malformed)).get(0).result()).isEqualTo(Result.PERMERROR);
    }

    @Test
    void signatureWithoutFromIsPermerror() throws Exception {
        String noFrom = Rfc8463.SIGNED.replace("h=from : to :", "h=to :").replace("message-id : from : subject : date;\r\n bh",
                "message-id : subject : date;\r\n bh");

        assertThat(verifier.verify(source(noFrom)).get(0))
                .extracting(DkimResult::result, DkimResult::reason).containsExactly(Result.PERMERROR, "From is not signed");
    }

    static MessageSource source(String message) {
        return MessageSource.ofBytes(message.getBytes(StandardCharsets.ISO_8859_1));
    }
}
