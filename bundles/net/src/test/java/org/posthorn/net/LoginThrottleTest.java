package org.posthorn.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(15), clock);

    @Test
    void anAddressIsBlockedAtTheLimitAndFreedWhenItsFailuresLeaveTheWindow() throws Exception {
        InetAddress guesser = InetAddress.getByName("192.0.2.1");
        InetAddress other = InetAddress.getByName("192.0.2.2");
        assertThat(throttle.recordFailure(guesser)).isFalse();
        clock.now = clock.now.plusSeconds(60);
        assertThat(throttle.recordFailure(guesser)).isFalse();
        assertThat(throttle.isBlocked(guesser)).isFalse();
        assertThat(throttle.recordFailure(guesser)).isTrue();
        assertThat(throttle.isBlocked(guesser)).isTrue();
        assertThat(throttle.isBlocked(other)).isFalse();

        clock.now = clock.now.plus(Duration.ofMinutes(14));
        assertThat(throttle.isBlocked(guesser)).as("the first failure left the window").isFalse();
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(throttle.recordFailure(guesser)).as("one failure in the window now").isFalse();
    }

    @Test
    void aLowerLimitAppliesToFailuresAlreadyCounted() throws Exception {
        InetAddress guesser = InetAddress.getByName("192.0.2.3");
        throttle.recordFailure(guesser);
        throttle.recordFailure(guesser);
        throttle.configure(2, Duration.ofMinutes(15));
        assertThat(throttle.isBlocked(guesser)).isTrue();
    }

    @Test
    void memoryIsBoundedUnderADistributedGuess() throws Exception {
        for (int i = 0; i < LoginThrottle.MAX_ADDRESSES + 10; i++) {
            throttle.recordFailure(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
        }
        InetAddress latest = InetAddress.getByName("192.0.2.9");
        throttle.recordFailure(latest);
        throttle.recordFailure(latest);
        assertThat(throttle.recordFailure(latest)).as("the newest address is still tracked").isTrue();
        assertThat(throttle.isBlocked(InetAddress.getByAddress(new byte[] {10, 0, 0, 0}))).isFalse();
    }
}
