package org.posthorn.api.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MailAddressTest {

    @Test
    void domainIsCanonicalisedToLowerCaseAscii() {
        MailAddress a = MailAddress.parse("Alice@Example.ORG");
        assertThat(a.localPart()).isEqualTo("Alice");
        assertThat(a.domain()).isEqualTo("example.org");
        assertThat(a).isEqualTo(MailAddress.parse("Alice@example.org."));
    }

    @Test
    void internationalisedDomainAndUtf8LocalPartAreAccepted() {
        MailAddress a = MailAddress.parse("jösé@bücher.example");
        assertThat(a.domain()).isEqualTo("xn--bcher-kva.example");
        assertThat(a.unicodeDomain()).isEqualTo("bücher.example");
        assertThat(a.isAscii()).isFalse();
        assertThat(a).isEqualTo(MailAddress.parse("jösé@xn--bcher-kva.example"));
    }

    @Test
    void quotedLocalPartRoundTrips() {
        MailAddress a = MailAddress.parse("\"john \\\"jd\\\" doe\"@example.org");
        assertThat(a.localPart()).isEqualTo("john \"jd\" doe");
        assertThat(a.toString()).isEqualTo("\"john \\\"jd\\\" doe\"@example.org");
        assertThat(MailAddress.parse(a.toString())).isEqualTo(a);
    }

    @Test
    void addressLiteralIsKept() {
        assertThat(MailAddress.parse("postmaster@[192.0.2.1]").domain()).isEqualTo("[192.0.2.1]");
    }

    @Test
    void malformedAddressesAreRejectedWithAReason() {
        assertThatThrownBy(() -> MailAddress.parse("no-at-sign")).hasMessageContaining("@");
        assertThatThrownBy(() -> MailAddress.parse("@example.org")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MailAddress.parse("a@")).hasMessageContaining("domain");
        assertThatThrownBy(() -> MailAddress.parse("a..b@example.org")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MailAddress.parse("a b@example.org")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MailAddress.parse("a@exa mple.org")).hasMessageContaining("invalid domain");
        assertThatThrownBy(() -> MailAddress.parse("x".repeat(65) + "@example.org")).hasMessageContaining("64");
        assertThatThrownBy(() -> MailAddress.parse("a\u0000b@example.org")).hasMessageContaining("control");
    }
}
