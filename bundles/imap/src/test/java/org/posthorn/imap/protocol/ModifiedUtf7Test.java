package org.posthorn.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModifiedUtf7Test {

    @Test
    void encodesAsRfc3501Examples() {
        assertThat(ModifiedUtf7.encode("~peter/mail/台北/日本語")).isEqualTo("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assertThat(ModifiedUtf7.encode("Tom & Jerry")).isEqualTo("Tom &- Jerry");
        assertThat(ModifiedUtf7.encode("Entwürfe")).isEqualTo("Entw&APw-rfe");
        assertThat(ModifiedUtf7.encode("😀")).isEqualTo("&2D3eAA-");
    }

    @Test
    void decodesAndRoundTrips() {
        for (String name : new String[] {"~peter/mail/台北/日本語", "Tom & Jerry", "Entwürfe", "😀 smile", "plain"}) {
            assertThat(ModifiedUtf7.decode(ModifiedUtf7.encode(name))).isEqualTo(name);
        }
    }

    @Test
    void refusesWhatIsNotModifiedUtf7() {
        assertThatThrownBy(() -> ModifiedUtf7.decode("&U,BTFw")).hasMessage("unterminated & sequence");
        assertThatThrownBy(() -> ModifiedUtf7.decode("&AGE-")).hasMessage("printable ASCII encoded in an & sequence");
        assertThatThrownBy(() -> ModifiedUtf7.decode("&U/BTFw-")).hasMessageContaining("bad BASE64 character");
        assertThatThrownBy(() -> ModifiedUtf7.decode("Entwürfe")).hasMessageContaining("8-bit");
    }
}
