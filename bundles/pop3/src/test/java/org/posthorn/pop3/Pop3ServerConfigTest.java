package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;
import org.posthorn.pop3.session.DeleteAction;
import org.posthorn.pop3.session.Pop3Settings;

/** The configuration PID's properties as the server applies them. */
class Pop3ServerConfigTest {

    private static Pop3Server.Config config(Map<String, ?> properties) {
        return ComponentConfig.of(Pop3Server.Config.class, properties);
    }

    @Test
    void defaultsAreSecureAndListenOn110And995() {
        Pop3Settings settings = Pop3Server.settings(config(Map.of()));
        assertThat(settings).isEqualTo(Pop3Settings.DEFAULTS);
        ServerSettings server = Pop3Server.serverSettings(config(Map.of()));
        assertThat(server.listeners()).containsExactly(ListenerSpec.of("pop3", 110, TlsMode.STARTTLS),
                ListenerSpec.of("pop3s", 995, TlsMode.IMPLICIT));
        assertThat(server.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(server.maxLineLength()).isEqualTo(1024);
    }

    @Test
    void propertiesAreApplied() {
        Pop3Settings settings = Pop3Server.settings(config(Map.of("auth.plaintext.allowed", true, "dele.action", " Trash",
                "auth.failure.delay.millis", 500, "max.errors", 7, "login.delay.seconds", 300, "expire", "31")));
        assertThat(settings).isEqualTo(new Pop3Settings(true, DeleteAction.TRASH, Duration.ofMillis(500), 7, 300, "31"));
        ServerSettings server = Pop3Server.serverSettings(config(Map.of("pop3s.enabled", false, "pop3.port", 1110,
                "bind.address", "192.0.2.1")));
        assertThat(server.listeners()).containsExactly(new ListenerSpec("pop3", "192.0.2.1", 1110, TlsMode.STARTTLS));
    }

    @Test
    void unusableValuesFallBackInsteadOfStoppingTheServer() {
        Pop3Settings settings = Pop3Server.settings(config(Map.of("dele.action", "shred", "expire", "0",
                "login.delay.seconds", -5)));
        assertThat(settings.deleteAction()).isEqualTo(DeleteAction.EXPUNGE);
        assertThat(settings.expire()).as("EXPIRE 0 would promise deletion after RETR").isNull();
        assertThat(settings.loginDelaySeconds()).isEqualTo(-1);
    }
}
