package org.posthorn.security.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** What the cache answers; {@code Argon2PasswordHasherTest} shows the hasher around it never says yes wrongly. */
class VerifiedLoginsTest {

    private static final String HASH = "{ARGON2ID}$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA";
    private static final String OTHER_HASH = "{ARGON2ID}$argon2id$v=19$m=1024,t=1,p=1$b3RoZXJzYWx0b3RoZXJzYQ$aGFzaA";

    private final AtomicLong now = new AtomicLong(123_456_789L);

    private static byte[] bytes(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRememberedPasswordIsConfirmedForItsOwnHashOnly() {
        VerifiedLogins logins = new VerifiedLogins(3600, 10, now::get);
        assertThat(logins.contains(HASH, bytes("correct horse"))).isFalse();

        logins.add(HASH, bytes("correct horse"));

        assertThat(logins.contains(HASH, bytes("correct horse"))).isTrue();
        assertThat(logins.contains(HASH, bytes("correct hors"))).isFalse();
        assertThat(logins.contains(HASH, bytes("correct horsf"))).isFalse();
        assertThat(logins.contains(HASH, bytes(""))).isFalse();
        assertThat(logins.contains(OTHER_HASH, bytes("correct horse"))).isFalse();
    }

    @Test
    void anEntryLivesTheTimeToLiveFromItsVerificationAndHitsDoNotExtendIt() {
        VerifiedLogins logins = new VerifiedLogins(60, 10, now::get);
        logins.add(HASH, bytes("pw"));

        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThat(logins.contains(HASH, bytes("pw"))).isTrue();
        now.addAndGet(TimeUnit.SECONDS.toNanos(1) - 1);
        assertThat(logins.contains(HASH, bytes("pw"))).isTrue();
        now.incrementAndGet();
        assertThat(logins.contains(HASH, bytes("pw"))).isFalse();
        now.addAndGet(-TimeUnit.SECONDS.toNanos(30));
        assertThat(logins.contains(HASH, bytes("pw"))).as("an expired entry is gone, not hidden").isFalse();

        logins.add(HASH, bytes("pw"));
        assertThat(logins.contains(HASH, bytes("pw"))).as("verified again: remembered again").isTrue();
    }

    @Test
    void beyondItsSizeTheEntryUsedLongestAgoGoes() {
        VerifiedLogins logins = new VerifiedLogins(3600, 2, now::get);
        logins.add("a", bytes("pw-a"));
        logins.add("b", bytes("pw-b"));
        assertThat(logins.contains("a", bytes("pw-a"))).isTrue();

        logins.add("c", bytes("pw-c"));

        assertThat(logins.contains("b", bytes("pw-b"))).isFalse();
        assertThat(logins.contains("a", bytes("pw-a"))).isTrue();
        assertThat(logins.contains("c", bytes("pw-c"))).isTrue();
    }

    @Test
    void zeroTimeToLiveOrZeroSizeRemembersNothing() {
        for (VerifiedLogins off : new VerifiedLogins[] {
                new VerifiedLogins(0, 10, now::get), new VerifiedLogins(3600, 0, now::get)}) {
            off.add(HASH, bytes("pw"));
            assertThat(off.contains(HASH, bytes("pw"))).isFalse();
        }
    }
}
