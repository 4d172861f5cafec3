package com.example.subjectfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.util.regex.PatternSyntaxException;

import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.FilterVerdict;

class SubjectFilterTest {

    @Test
    void aMessageThatPassesGetsTheConfiguredHeaderOnTop() {
        TestMessage message = new TestMessage("Subject: lunch?", "From: alice@example.org");

        FilterVerdict verdict = new SubjectFilter(config("(?i)forbidden")).filter(message);

        assertThat(verdict).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(message.headers().get(0).name()).isEqualTo("X-Example-Filter");
        assertThat(message.header("X-Example-Filter")).containsExactly("checked");
    }

    @Test
    void aMatchingSubjectIsRejectedWith550AndNoHeader() {
        TestMessage message = new TestMessage("Subject: FORBIDDEN offer");

        FilterVerdict verdict = new SubjectFilter(config("(?i)forbidden")).filter(message);

        assertThat(verdict.action()).isEqualTo(FilterVerdict.Action.REJECT);
        assertThat(verdict.replyCode()).isEqualTo(550);
        assertThat(verdict.enhancedCode()).isEqualTo("5.7.1");
        assertThat(message.header("X-Example-Filter")).isEmpty();
    }

    @Test
    void withoutAPatternNothingIsRejected() {
        TestMessage message = new TestMessage("Subject: forbidden");

        assertThat(new SubjectFilter(config("")).filter(message)).isEqualTo(FilterVerdict.CONTINUE);
    }

    @Test
    void aBrokenPatternFailsActivation() {
        assertThatThrownBy(() -> new SubjectFilter(config("(unclosed"))).isInstanceOf(PatternSyntaxException.class);
    }

    /** The configuration Config Admin would hand over, with the given pattern and the defaults. */
    private static SubjectFilter.Config config(String rejectSubject) {
        return new SubjectFilter.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SubjectFilter.Config.class;
            }

            @Override
            public String header_name() {
                return "X-Example-Filter";
            }

            @Override
            public String header_value() {
                return "checked";
            }

            @Override
            public String reject_subject() {
                return rejectSubject;
            }
        };
    }
}
