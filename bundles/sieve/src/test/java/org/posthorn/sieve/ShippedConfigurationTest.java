package org.posthorn.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.posthorn.net.ListenerSpec;
import org.posthorn.net.TlsMode;
import org.posthorn.sieve.manage.ManageSieveSettings;

/** The shipped conf/ files use the keys the components read (DS maps a_b() to a.b). */
class ShippedConfigurationTest {

    /** The file's properties, typed as the annotation's methods want them; unknown keys fail. */
    private static <A extends Annotation> A load(Class<A> type, String file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("../../conf", file))) {
            properties.load(in);
        }
        Map<String, Object> typed = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            Method method = methodFor(type, key);
            String value = properties.getProperty(key).strip();
            typed.put(key, method.getReturnType() == int.class ? Integer.valueOf(value)
                    : method.getReturnType() == boolean.class ? Boolean.valueOf(value) : value);
        }
        return TestBackend.config(type, typed);
    }

    private static Method methodFor(Class<?> type, String key) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().replace('_', '.').equals(key)) {
                return m;
            }
        }
        throw new AssertionError(key + " is not a key of " + type.getName());
    }

    @Test
    void theShippedManageSieveFileConfiguresPort4190WithStartTlsAndItsLimits() throws IOException {
        ManageSieveServer.Config config = load(ManageSieveServer.Config.class, "org.posthorn.managesieve.cfg");
        assertThat(ManageSieveServer.serverSettings(config).listeners())
                .containsExactly(new ListenerSpec("managesieve", "*", 4190, TlsMode.STARTTLS));
        assertThat(ManageSieveServer.settings(config)).isEqualTo(new ManageSieveSettings(false, 262144, 20, 3));
    }

    @Test
    void theShippedSieveFileHoldsTheDefaults() throws IOException {
        SieveFilterComponent.Config config = load(SieveFilterComponent.Config.class, "org.posthorn.sieve.cfg");
        assertThat(config.body_max_bytes()).isEqualTo(1048576);
        assertThat(config.vacation_min_days()).isEqualTo(1);
        assertThat(config.vacation_max_days()).isEqualTo(30);
    }
}
