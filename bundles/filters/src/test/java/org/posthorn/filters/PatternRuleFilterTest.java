package org.posthorn.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilterVerdict.Action;

class PatternRuleFilterTest {

    private static PatternRuleFilter rules(Map<String, Object> properties) {
        return new PatternRuleFilter(Configs.of(PatternRuleFilter.Config.class, properties), properties);
    }

    @Test
    void aHeaderRuleTagsAndFilesIntoJunk() throws Exception {
        PatternRuleFilter filter = rules(Map.of("rule.pills", "junk header:Subject (?i)\\bcheap\\s+pills\\b"));
        TestMessage message = new TestMessage("Subject: CHEAP  pills today\n\nhello\n");

        assertThat(filter.filter(message)).isEqualTo(FilterVerdict.CONTINUE);

        assertThat(message.header(RuleAction.HEADER)).containsExactly("rule pills matched Subject");
        assertThat(message.filedInto).containsValue("Junk");
    }

    @Test
    void bodyRulesSeeDecodedQuotedPrintableAndBase64Text() throws Exception {
        PatternRuleFilter filter = rules(Map.of("rule.money", "reject body wire the money to"));
        TestMessage qp = new TestMessage("""
                Subject: x
                Content-Type: text/plain; charset=iso-8859-1
                Content-Transfer-Encoding: quoted-printable

                Gr=FC=DFe, please wire the mo=
                ney to me
                """);
        TestMessage base64 = new TestMessage("""
                Subject: x
                Content-Type: multipart/alternative; boundary=b

                --b
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: base64

                w7xiZXI6IHdpcmUgdGhlIG1vbmV5IHRvIHVzCg==
                --b--
                """);

        FilterVerdict verdict = filter.filter(qp);

        assertThat(verdict.action()).isEqualTo(Action.REJECT);
        assertThat(verdict.text()).isEqualTo("Message refused: rule money matched the body");
        assertThat(filter.filter(base64).action()).isEqualTo(Action.REJECT);
    }

    @Test
    void attachmentsThatAreNotTextAreNotSearched() throws Exception {
        PatternRuleFilter filter = rules(Map.of("rule.money", "tag body TVqQ"));
        TestMessage message = new TestMessage("""
                Subject: x
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: application/octet-stream

                TVqQAAMAAAAEAAAA
                --b--
                """);

        assertThat(filter.filter(message)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(message.header(RuleAction.HEADER)).isEmpty();
    }

    @Test
    void rulesAreTriedInNameOrderAndTheFirstMatchDecides() throws Exception {
        PatternRuleFilter filter = rules(Map.of(
                "rule.b-reject", "reject header:From evil",
                "rule.a-tag", "tag header:From example"));
        TestMessage message = new TestMessage("From: evil@example.com\n\nx\n");

        assertThat(filter.filter(message)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(message.header(RuleAction.HEADER)).containsExactly("rule a-tag matched From");
    }

    @Test
    void withoutRulesNothingHappens() throws Exception {
        TestMessage message = new TestMessage("Subject: anything\n\nat all\n");

        assertThat(rules(Map.of()).filter(message)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(message.headers()).hasSize(1);
    }

    @Test
    void aBrokenRuleFailsActivationWithItsName() {
        assertThatThrownBy(() -> rules(Map.of("rule.x", "junk header:Subject (unclosed")))
                .hasMessageStartingWith("rule.x: bad regular expression");
        assertThatThrownBy(() -> rules(Map.of("rule.y", "junk subject foo")))
                .hasMessage("rule.y: where is 'body' or 'header:<Name>', not 'subject'");
        assertThatThrownBy(() -> rules(Map.of("rule.z", "junk body")))
                .hasMessageStartingWith("rule.z: expected '<action> <where> <regex>'");
    }
}
