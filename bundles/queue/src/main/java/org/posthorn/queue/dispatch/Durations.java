package org.posthorn.queue.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses the durations admins write in configuration: {@code 30s}, {@code 5m}, {@code 4h}, {@code 5d}, or seconds. */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        char unit = t.charAt(t.length() - 1);
        String number = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1).strip();
        long value;
        try {
            value = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 30s, 5m, 4h, 5d)", e);
        }
        if (value < 0) {
            throw new IllegalArgumentException("negative duration: " + text);
        }
        return switch (unit) {
            case 's' -> Duration.ofSeconds(value);
            case 'm' -> Duration.ofMinutes(value);
            case 'h' -> Duration.ofHours(value);
            case 'd' -> Duration.ofDays(value);
            default -> {
                if (!Character.isDigit(unit)) {
                    throw new IllegalArgumentException("unknown unit in '" + text + "' (use s, m, h or d)");
                }
                yield Duration.ofSeconds(value);
            }
        };
    }

    /** A comma-separated list of durations. */
    public static List<Duration> parseList(String text) {
        List<Duration> list = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                list.add(parse(part));
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("empty list of durations");
        }
        return list;
    }
}
