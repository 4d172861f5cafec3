package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RemoteDeliveryConfigTest {

    @Test
    void theDefaultsAreTheTimeoutsOfRfc5321() {
        RemoteDeliveryConfig config = RemoteDeliveryConfig.defaults("mail.example.test");

        assertThat(config.heloName()).isEqualTo("mail.example.test");
        assertThat(config.mxPort()).isEqualTo(25);
        assertThat(config.greetingTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.commandTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.dataInitTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.dataBlockTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(config.dataEndTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.tlsPolicy()).isEqualTo(TlsPolicy.OPPORTUNISTIC);
        assertThat(config.smarthost()).isNull();
        assertThat(config.maxConnectionsPerDomain()).isEqualTo(4);
    }

    @Test
    void propertiesAsConfigAdminGivesThemFromAFile() {
        RemoteDeliveryConfig config = RemoteDeliveryConfig.fromProperties(Map.of(
                "helo.name", "mx.example.test", "mx.port", "2525", "tls.policy", "required", "tls.verify", "true",
                "greeting.timeout", "PT30S", "data.end.timeout", "500ms",
                "local.hosts", "mail.example.test, 192.0.2.25", "max.connections.per.domain", 2));

        assertThat(config.mxPort()).isEqualTo(2525);
        assertThat(config.tlsPolicy()).isEqualTo(TlsPolicy.REQUIRED);
        assertThat(config.tlsVerify()).isTrue();
        assertThat(config.greetingTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.dataEndTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.localHosts()).containsExactly("mail.example.test", "192.0.2.25");
        assertThat(config.maxConnectionsPerDomain()).isEqualTo(2);
    }

    @Test
    void aSmarthostIsConfiguredByItsHostAndTheSecretStaysOutOfToString() {
        RemoteDeliveryConfig config = RemoteDeliveryConfig.fromProperties(Map.of("helo.name", "h.test",
                "smarthost.host", "relay.provider.test", "smarthost.port", 465, "smarthost.tls", "IMPLICIT",
                "smarthost.username", "me", "smarthost.password", "hunter2"));

        assertThat(config.smarthost()).isEqualTo(
                new Smarthost("relay.provider.test", 465, SmarthostTls.IMPLICIT, true, "me", "hunter2"));
        assertThat(config.toString()).contains("relay.provider.test").doesNotContain("hunter2");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> RemoteDeliveryConfig.fromProperties(Map.of("helo.name", "h", "idle.keep", "soon")))
                .hasMessageContaining("idle.keep");
        assertThatThrownBy(() -> RemoteDeliveryConfig.fromProperties(Map.of("helo.name", "h", "tls.policy", "maybe")))
                .hasMessageContaining("tls.policy");
        assertThatThrownBy(() -> RemoteDeliveryConfig.fromProperties(Map.of("helo.name", "h",
                "max.connections.per.domain", 0))).hasMessageContaining("max.connections.per.domain");
    }

    @Test
    void durationsTakeUnitsOrIso8601() {
        assertThat(List.of("250ms", "30s", "5m", "2h", "1d", "PT1M30S"))
                .map(t -> RemoteDeliveryConfig.duration("k", t))
                .containsExactly(Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMinutes(5),
                        Duration.ofHours(2), Duration.ofDays(1), Duration.ofSeconds(90));
    }
}
