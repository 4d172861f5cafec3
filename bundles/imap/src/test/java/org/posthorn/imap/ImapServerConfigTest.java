package org.posthorn.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.posthorn.imap.session.ImapSettings;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.TlsMode;

/** The component's configuration (PID org.posthorn.imap) as server settings. */
class ImapServerConfigTest {

    private static ImapServer.Config config(Map<String, Object> values) {
        return (ImapServer.Config) Proxy.newProxyInstance(ImapServer.Config.class.getClassLoader(),
                new Class<?>[] {ImapServer.Config.class},
                (proxy, method, args) -> values.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    @Test
    void defaultsAreTheShippedPortsOnEveryAddressWithLoginAfterTls() {
        ImapSettings settings = ImapServer.settings(config(Map.of()));
        assertThat(settings.server().listeners()).containsExactly(
                new ListenerSpec("imap", "*", 143, TlsMode.STARTTLS), new ListenerSpec("imaps", "*", 993, TlsMode.IMPLICIT));
        assertThat(settings.plaintextLoginAllowed()).isFalse();
        assertThat(settings.server().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.server().maxLineLength()).isEqualTo(65536);
        assertThat(settings.maxCommandSize()).isEqualTo(1048576);
        assertThat(settings.maxMessageSize()).isEqualTo(67108864);
        assertThat(settings.maxBadCommands()).isEqualTo(20);
        assertThat(settings.loginTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.idleKeepAlive()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aListenerIsTurnedOffWithMinusOneAndLimitsAreTaken() {
        ImapSettings settings = ImapServer.settings(config(Map.of("bind_address", "127.0.0.1", "imap_port", -1,
                "imaps_port", 10993, "plaintext_login_allowed", true, "max_connections", 7,
                "max_connections_per_address", 3, "idle_timeout_minutes", 31, "max_message_size", 1000L)));
        assertThat(settings.server().listeners())
                .containsExactly(new ListenerSpec("imaps", "127.0.0.1", 10993, TlsMode.IMPLICIT));
        assertThat(settings.plaintextLoginAllowed()).isTrue();
        assertThat(settings.server().maxConnections()).isEqualTo(7);
        assertThat(settings.server().maxConnectionsPerAddress()).isEqualTo(3);
        assertThat(settings.server().idleTimeout()).isEqualTo(Duration.ofMinutes(31));
        assertThat(settings.maxMessageSize()).isEqualTo(1000);
    }
}
