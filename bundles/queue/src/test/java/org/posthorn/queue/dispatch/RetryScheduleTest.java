package org.posthorn.queue.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private static final Instant ARRIVAL = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void theStandardScheduleWaitsLongerEachTimeThenEveryFourHoursUntilFiveDaysAreOver() {
        RetrySchedule schedule = RetrySchedule.standard();
        List<Duration> waits = new ArrayList<>();
        Instant now = ARRIVAL;
        for (int attempt = 1; !schedule.expired(ARRIVAL, now); attempt++) {
            Instant next = schedule.next(attempt, now, ARRIVAL);
            waits.add(Duration.between(now, next));
            now = next;
        }
        assertThat(waits.subList(0, 7)).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(4));
        assertThat(now).as("the last attempt is exactly at the end of the lifetime").isEqualTo(ARRIVAL.plus(Duration.ofDays(5)));
        assertThat(waits.get(waits.size() - 1)).isLessThanOrEqualTo(Duration.ofHours(4));
    }

    @Test
    void durationsAreReadAsAdminsWriteThem() {
        assertThat(Durations.parseList("30s, 5m,1h ,2d,90")).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofHours(1), Duration.ofDays(2), Duration.ofSeconds(90));
        assertThatThrownBy(() -> Durations.parse("5 weeks")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parseList(" , ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ZERO), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
