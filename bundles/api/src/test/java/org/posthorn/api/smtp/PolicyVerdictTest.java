package org.posthorn.api.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.HeaderField;

class PolicyVerdictTest {

    @Test
    void refusalsBecomeOneReplyLine() {
        assertThat(PolicyVerdict.tempfail(451, "4.7.1", "Greylisted").reply()).isEqualTo("451 4.7.1 Greylisted");
        assertThat(PolicyVerdict.reject(550, "5.7.1", "Rejected").reply()).isEqualTo("550 5.7.1 Rejected");
        assertThat(PolicyVerdict.ACCEPT.reply()).isNull();
    }

    @Test
    void codesMustFitTheAction() {
        assertThatThrownBy(() -> PolicyVerdict.tempfail(550, "5.7.1", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyVerdict.reject(550, "4.7.1", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyVerdict.reject(550, "5.7", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingCanBreakTheReplyOrTheHeader() {
        assertThatThrownBy(() -> PolicyVerdict.reject(550, "5.7.1", "no\r\n250 ok"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyVerdict.accept(List.of(new HeaderField("X-Test", "a\r\nBcc: b"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyVerdict.accept(List.of(new HeaderField("X Test", "a"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PolicyVerdict.accept(List.of(new HeaderField("Received-SPF", "pass (señal)"))).headers()).hasSize(1);
    }
}
