package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.posthorn.queue.dispatch.QueueSettings;

class QueueComponentTest {

    /** The configuration as Config Admin would hand it over: defaults, except {@code values}. */
    private static QueueComponent.Config config(Map<String, Object> values) {
        return (QueueComponent.Config) Proxy.newProxyInstance(QueueComponent.Config.class.getClassLoader(),
                new Class<?>[] {QueueComponent.Config.class},
                (proxy, method, args) -> values.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    @Test
    void theDefaultConfigurationIsTheDocumentedDefaults() {
        assertThat(QueueComponent.settings(config(Map.of()), "mx.example.org")).isEqualTo(QueueSettings.defaults("mx.example.org"));
    }

    @Test
    void configuredValuesAreParsed() {
        QueueSettings settings = QueueComponent.settings(config(Map.of("workers", 8, "retry_schedule", "1m, 1h",
                "max_lifetime", "2d", "filter_failure", "closed", "delay_warning", "0")), "mx.example.org");
        assertThat(settings.workers()).isEqualTo(8);
        assertThat(settings.retries().delays()).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1));
        assertThat(settings.retries().lifetime()).isEqualTo(Duration.ofDays(2));
        assertThat(settings.filtersFailClosed()).isTrue();
        assertThat(settings.delayWarning()).isZero();
        assertThatThrownBy(() -> QueueComponent.settings(config(Map.of("filter_failure", "maybe")), "h"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRelativeSpoolDirectoryIsUnderTheDataDirectory() {
        assertThat(QueueComponent.spoolDirectory("/var/lib/posthorn", "spool")).isEqualTo(Path.of("/var/lib/posthorn/spool"));
        assertThat(QueueComponent.spoolDirectory(null, "spool")).isEqualTo(Path.of("data/spool"));
        assertThat(QueueComponent.spoolDirectory("/x", "/srv/spool")).isEqualTo(Path.of("/srv/spool"));
    }
}
