package org.posthorn.store;

import java.util.Locale;

/**
 * {@link StoreConfig} as a plain value, so the components can be built without OSGi (tests,
 * benchmark).
 *
 * @param defaultDomain        domain for logins without {@code @}, or null
 * @param defaultQuotaBytes    byte quota of new accounts, 0 for none
 * @param defaultQuotaMessages message quota of new accounts, 0 for none
 * @param deadlockRetries      retries of a deadlocked transaction
 */
public record StoreSettings(String defaultDomain, long defaultQuotaBytes, long defaultQuotaMessages,
                            int deadlockRetries) {

    public static final StoreSettings DEFAULTS = new StoreSettings(null, 0, 0, 5);

    public StoreSettings {
        defaultDomain = defaultDomain == null || defaultDomain.isBlank() ? null
                : defaultDomain.strip().toLowerCase(Locale.ROOT);
    }

    static StoreSettings of(StoreConfig config) {
        return new StoreSettings(config.default_domain(), config.default_quota_bytes(),
                config.default_quota_messages(), config.deadlock_retries());
    }
}
