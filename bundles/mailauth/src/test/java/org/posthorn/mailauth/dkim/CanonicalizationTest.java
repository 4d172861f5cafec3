package org.posthorn.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** The examples of RFC 6376 §3.4.5 and the empty-body rules of §3.4.3/§3.4.4. */
class CanonicalizationTest {

    private static final String HEADER_A = "A: X\r\n";
    private static final String HEADER_B = "B : Y\t\r\n\tZ  \r\n";
    private static final String BODY = " C \r\nD \t E\r\n\r\n\r\n";

    @Test
    void relaxedHeadersFollowTheRfcExample() {
        assertThat(text(Canonicalization.RELAXED.header(HEADER_A))).isEqualTo("a:X\r\n");
        assertThat(text(Canonicalization.RELAXED.header(HEADER_B))).isEqualTo("b:Y Z\r\n");
    }

    @Test
    void simpleHeadersAreLeftAlone() {
        assertThat(text(Canonicalization.SIMPLE.header(HEADER_B))).isEqualTo(HEADER_B);
    }

    @Test
    void relaxedBodyFollowsTheRfcExample() throws Exception {
        assertThat(hash(Canonicalization.RELAXED, BODY, -1)).isEqualTo(sha256(" C\r\nD E\r\n"));
    }

    @Test
    void simpleBodyLosesOnlyTrailingEmptyLines() throws Exception {
        assertThat(hash(Canonicalization.SIMPLE, BODY, -1)).isEqualTo(sha256(" C \r\nD \t E\r\n"));
    }

    @Test
    void emptyBodyIsOneCrlfInSimpleAndNothingInRelaxed() throws Exception {
        assertThat(hash(Canonicalization.SIMPLE, "", -1)).isEqualTo(sha256("\r\n"));
        assertThat(hash(Canonicalization.RELAXED, "\r\n\r\n", -1)).isEqualTo(sha256(""));
        // RFC 6376 §3.4.3: the well-known hash of the empty simple body
        assertThat(Base64.getEncoder().encodeToString(hash(Canonicalization.SIMPLE, "", -1)))
                .isEqualTo("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    }

    @Test
    void bodyLengthLimitHashesOnlyThatManyCanonicalBytes() throws Exception {
        assertThat(hash(Canonicalization.RELAXED, BODY, 3)).isEqualTo(sha256(" C\r"));
    }

    @Test
    void lastLineWithoutLineBreakCountsAsALine() throws Exception {
        assertThat(hash(Canonicalization.RELAXED, "Joe.", -1)).isEqualTo(sha256("Joe.\r\n"));
    }

    private static byte[] hash(Canonicalization c, String body, long limit) {
        BodyCanonicalizer canonicalizer = new BodyCanonicalizer(c, DkimAlgorithm.sha256(), limit);
        canonicalizer.write(body.getBytes(StandardCharsets.ISO_8859_1), 0, body.length());
        return canonicalizer.finish();
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
