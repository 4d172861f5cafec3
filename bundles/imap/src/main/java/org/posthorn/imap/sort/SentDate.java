package org.posthorn.imap.sort;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sent date of RFC 5256 §2.2: the Date header field (RFC 5322 §3.3, with the obsolete
 * forms: two-digit years, named zones), or null when it is missing or cannot be read.
 */
final class SentDate {

    private static final Pattern DATE = Pattern.compile("^\\s*(?:[A-Za-z]+\\s*,\\s*)?(\\d{1,2})\\s+([A-Za-z]{3})[a-z]*"
            + "\\s+(\\d{2,4})\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([+-]\\d{4}|[A-Za-z]+)?");
    private static final List<String> MONTHS =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    /** RFC 5322 §4.3 obsolete zones; UT, GMT, Z and military zones are UTC here. */
    private static final Map<String, Integer> ZONES = Map.of("EST", -5, "EDT", -4, "CST", -6, "CDT", -5,
            "MST", -7, "MDT", -6, "PST", -8, "PDT", -7);

    private SentDate() {
    }

    static Instant parse(String date) {
        if (date == null) {
            return null;
        }
        Matcher m = DATE.matcher(date);
        if (!m.find()) {
            return null;
        }
        int month = MONTHS.indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1;
        if (month == 0) {
            return null;
        }
        int year = Integer.parseInt(m.group(3));
        if (m.group(3).length() < 4) {
            // RFC 5322 §4.3
            year += year < 50 ? 2000 : 1900;
        }
        try {
            LocalDateTime local = LocalDateTime.of(year, month, Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
            return local.toInstant(zone(m.group(7)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ZoneOffset zone(String zone) {
        if (zone == null) {
            return ZoneOffset.UTC;
        }
        if (zone.startsWith("+") || zone.startsWith("-")) {
            int hours = Integer.parseInt(zone.substring(1, 3));
            int minutes = Integer.parseInt(zone.substring(3, 5));
            int seconds = (hours * 3600 + minutes * 60) * (zone.startsWith("-") ? -1 : 1);
            return ZoneOffset.ofTotalSeconds(Math.max(-18 * 3600, Math.min(18 * 3600, seconds)));
        }
        return ZoneOffset.ofHours(ZONES.getOrDefault(zone.toUpperCase(Locale.ROOT), 0));
    }
}
