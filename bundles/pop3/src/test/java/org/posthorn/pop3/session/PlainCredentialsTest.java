package org.posthorn.pop3.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class PlainCredentialsTest {

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesLoginAndPasswordWithOrWithoutAnAuthorizationIdentity() throws Exception {
        PlainCredentials plain = PlainCredentials.decode(encode("\0tim@example.org\0tanstaaftanstaaf"));
        assertThat(plain.authorizationId()).isEmpty();
        assertThat(plain.login()).isEqualTo("tim@example.org");
        assertThat(plain.password()).containsExactly("tanstaaftanstaaf".toCharArray());
        assertThat(plain.actsForSomeoneElse()).isFalse();

        PlainCredentials self = PlainCredentials.decode(encode("Tim@example.org\0tim@example.org\0pässwörd with spaces"));
        assertThat(self.password()).containsExactly("pässwörd with spaces".toCharArray());
        assertThat(self.actsForSomeoneElse()).isFalse();
        assertThat(PlainCredentials.decode(encode("admin\0tim\0x")).actsForSomeoneElse()).isTrue();
    }

    @Test
    void malformedResponsesAreRefused() {
        assertThatThrownBy(() -> PlainCredentials.decode("%%%")).hasMessageContaining("base64");
        assertThatThrownBy(() -> PlainCredentials.decode("=")).hasMessageContaining("NUL login NUL password");
        assertThatThrownBy(() -> PlainCredentials.decode(encode("tim\0secret"))).hasMessageContaining("NUL");
        assertThatThrownBy(() -> PlainCredentials.decode(encode("a\0b\0c\0d"))).hasMessageContaining("NUL");
        assertThatThrownBy(() -> PlainCredentials.decode(encode("\0\0secret"))).hasMessageContaining("no login");
        assertThatThrownBy(() -> PlainCredentials.decode(Base64.getEncoder().encodeToString(
                new byte[] {0, 't', 0, (byte) 0xff}))).hasMessageContaining("UTF-8");
    }
}
