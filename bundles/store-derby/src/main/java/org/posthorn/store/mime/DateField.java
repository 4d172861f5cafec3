package org.posthorn.store.mime;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an RFC 5322 date-time leniently: optional day name, 2- or 4-digit year, optional
 * seconds, numeric or obsolete alphabetic zone (RFC 5322 §4.3), comments ignored.
 */
public final class DateField {

    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
        "nov", "dec"};
    private static final Map<String, Integer> ZONES = Map.of("ut", 0, "gmt", 0, "z", 0, "edt", -4, "est", -5,
            "cdt", -5, "cst", -6, "mdt", -6, "mst", -7, "pdt", -7);

    private DateField() {
    }

    /** The date-time, or null if the text is not one. */
    public static OffsetDateTime parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.replaceAll("\\([^)]*\\)", " ").replace(',', ' ').strip().toLowerCase(Locale.ROOT);
        String[] parts = s.split("[ \\t\\r\\n]+");
        int i = 0;
        if (parts.length > 0 && !parts[0].isEmpty() && Character.isLetter(parts[0].charAt(0))) {
            i++;
        }
        if (parts.length - i < 4) {
            return null;
        }
        try {
            int day = Integer.parseInt(parts[i]);
            int month = month(parts[i + 1]);
            int year = Integer.parseInt(parts[i + 2]);
            if (parts[i + 2].length() <= 2) {
                year += year < 50 ? 2000 : 1900;
            } else if (parts[i + 2].length() == 3) {
                year += 1900;
            }
            String[] time = parts[i + 3].split(":");
            int hour = Integer.parseInt(time[0]);
            int minute = time.length > 1 ? Integer.parseInt(time[1]) : 0;
            int second = time.length > 2 ? Integer.parseInt(time[2]) : 0;
            ZoneOffset zone = parts.length > i + 4 ? zone(parts[i + 4]) : ZoneOffset.UTC;
            if (month < 0) {
                return null;
            }
            return OffsetDateTime.of(year, month, day, hour, minute, Math.min(second, 59), 0, zone);
        } catch (NumberFormatException | DateTimeException e) {
            return null;
        }
    }

    private static int month(String name) {
        for (int m = 0; m < MONTHS.length; m++) {
            if (name.startsWith(MONTHS[m])) {
                return m + 1;
            }
        }
        return -1;
    }

    private static ZoneOffset zone(String z) {
        if ((z.startsWith("+") || z.startsWith("-")) && z.length() == 5) {
            int h = Integer.parseInt(z.substring(1, 3));
            int m = Integer.parseInt(z.substring(3, 5));
            int sign = z.startsWith("-") ? -1 : 1;
            return ZoneOffset.ofHoursMinutes(sign * h, sign * m);
        }
        Integer hours = ZONES.get(z);
        return hours == null ? ZoneOffset.UTC : ZoneOffset.ofHours(hours);
    }
}
