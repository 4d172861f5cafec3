package org.posthorn.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilterVerdict.Action;
import org.posthorn.api.mail.MailAddress;

class SizeAndRecipientFilterTest {

    private static final String SMALL = "Subject: hi\n\nshort\n";

    @Test
    void aMessageOverTheSizeLimitIsRejectedWith552AndTheLimitInTheText() {
        SizeFilter filter = new SizeFilter(Configs.of(SizeFilter.Config.class, Map.of("enabled", true, "max.size", 10L)));

        FilterVerdict verdict = filter.filter(new TestMessage(SMALL));

        assertThat(verdict.action()).isEqualTo(Action.REJECT);
        assertThat(verdict.replyCode()).isEqualTo(552);
        assertThat(verdict.enhancedCode()).isEqualTo("5.3.4");
        assertThat(verdict.text()).isEqualTo("Message refused: size 22 bytes is over the limit of 10");
    }

    @Test
    void aMessageAtTheLimitPassesUntouched() {
        SizeFilter filter = new SizeFilter(Configs.of(SizeFilter.Config.class, Map.of("enabled", true, "max.size", 22L)));
        TestMessage message = new TestMessage(SMALL);

        assertThat(filter.filter(message)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(message.header(RuleAction.HEADER)).isEmpty();
    }

    @Test
    void theSizeRuleIsOffByDefault() {
        SizeFilter filter = new SizeFilter(Configs.of(SizeFilter.Config.class, Map.of("max.size", 1L)));

        assertThat(filter.filter(new TestMessage(SMALL))).isEqualTo(FilterVerdict.CONTINUE);
    }

    @Test
    void anUnknownActionFailsActivationNamingTheChoices() {
        assertThatThrownBy(() -> new SizeFilter(Configs.of(SizeFilter.Config.class, Map.of("action", "bounce"))))
                .hasMessageContaining("unknown action 'bounce' (tag, junk or reject)");
    }

    @Test
    void tooManyEnvelopeRecipientsAreTaggedAndStillDelivered() {
        RecipientCountFilter filter = new RecipientCountFilter(Configs.of(RecipientCountFilter.Config.class,
                Map.of("enabled", true, "max.recipients", 2)));
        TestMessage message = new TestMessage(SMALL, "a@example.org", "b@example.org", "c@example.org");

        assertThat(filter.filter(message)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(message.header(RuleAction.HEADER)).containsExactly("3 envelope recipients, more than 2");
        assertThat(message.headers().get(0).name()).isEqualTo(RuleAction.HEADER);
    }

    @Test
    void addressesInToAndCcCountButNotAtSignsInQuotesOrComments() {
        RecipientCountFilter filter = new RecipientCountFilter(Configs.of(RecipientCountFilter.Config.class,
                Map.of("enabled", true, "max.header.recipients", 3, "action", "junk")));
        TestMessage three = new TestMessage("To: \"a@b\" <x@example.org>, y@example.org (at @ home)\nCc: z@example.org\n\nx\n");
        TestMessage four = new TestMessage("To: x@example.org, y@example.org\nCc: z@example.org,\n w@example.org\n\nx\n",
                "bob@example.org");

        assertThat(filter.filter(three)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(three.header(RuleAction.HEADER)).isEmpty();
        assertThat(filter.filter(four)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(four.header(RuleAction.HEADER)).containsExactly("4 addresses in To and Cc, more than 3");
        assertThat(four.filedInto).containsExactly(Map.entry(MailAddress.parse("bob@example.org"), "Junk"));
    }
}
