package org.posthorn.pop3.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class MaildropLocksTest {

    private final MaildropLocks locks = new MaildropLocks();

    @Test
    void oneSessionPerAccountAndAReleaseOnlyFreesItsOwnLock() {
        MaildropLocks.Attempt first = locks.acquire("a@example.org", null);
        assertThat(first.lock()).isNotNull();
        assertThat(locks.acquire("a@example.org", null).refusal()).isEqualTo(MaildropLocks.Refusal.IN_USE);
        assertThat(locks.acquire("b@example.org", null).lock()).as("another account").isNotNull();

        first.lock().release();
        MaildropLocks.Attempt second = locks.acquire("a@example.org", null);
        assertThat(second.lock()).isNotNull();
        first.lock().release();
        assertThat(locks.isLocked("a@example.org")).as("a stale release leaves the new holder alone").isTrue();
    }

    @Test
    void loginDelayRefusesASecondLoginTooSoonWithoutTakingTheLock() {
        locks.acquire("c@example.org", Duration.ofMinutes(5)).lock().release();
        MaildropLocks.Attempt again = locks.acquire("c@example.org", Duration.ofMinutes(5));
        assertThat(again.refusal()).isEqualTo(MaildropLocks.Refusal.LOGIN_DELAY);
        assertThat(locks.isLocked("c@example.org")).isFalse();
        assertThat(locks.acquire("c@example.org", null).lock()).as("without a delay").isNotNull();
    }
}
