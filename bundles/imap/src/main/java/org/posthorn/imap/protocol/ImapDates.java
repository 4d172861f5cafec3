package org.posthorn.imap.protocol;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** IMAP dates: {@code date-time} of APPEND and INTERNALDATE, {@code date} of SEARCH (RFC 9051 §9). */
public final class ImapDates {

    private static final List<String> MONTHS =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final DateTimeFormatter INTERNAL_DATE =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ROOT);

    private ImapDates() {
    }

    /** INTERNALDATE as sent to clients, in UTC: {@code "17-Jul-1996 09:44:25 +0000"} (without the quotes). */
    public static String format(Instant instant) {
        return INTERNAL_DATE.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** A {@code date-time}: {@code "dd-Mon-yyyy hh:mm:ss +zzzz"}, day may be space-padded. */
    public static Instant dateTime(CommandReader reader) throws ImapException, IOException {
        String text = reader.string();
        if (text.length() == 25 && text.charAt(1) == '-') {
            // a one-digit day without its padding space, as some clients write it
            text = " " + text;
        }
        try {
            if (text.length() != 26 || text.charAt(2) != '-' || text.charAt(6) != '-' || text.charAt(11) != ' '
                    || text.charAt(14) != ':' || text.charAt(17) != ':' || text.charAt(20) != ' ') {
                throw new DateTimeException("layout");
            }
            int day = Integer.parseInt(text.substring(0, 2).strip());
            int month = month(text.substring(3, 6));
            int year = Integer.parseInt(text.substring(7, 11));
            int hour = Integer.parseInt(text.substring(12, 14));
            int minute = Integer.parseInt(text.substring(15, 17));
            int second = Integer.parseInt(text.substring(18, 20));
            char sign = text.charAt(21);
            int zoneHours = Integer.parseInt(text.substring(22, 24));
            int zoneMinutes = Integer.parseInt(text.substring(24, 26));
            if (sign != '+' && sign != '-' || zoneMinutes > 59) {
                throw new DateTimeException("zone");
            }
            int offset = (zoneHours * 3600 + zoneMinutes * 60) * (sign == '-' ? -1 : 1);
            return LocalDateTime.of(year, month, day, hour, minute, second)
                    .toInstant(ZoneOffset.ofTotalSeconds(offset));
        } catch (RuntimeException e) {
            throw ImapException.bad("Invalid date-time \"" + text.strip().replace('"', '\'') + "\"");
        }
    }

    /** A SEARCH {@code date}: {@code d-Mon-yyyy}, optionally quoted. */
    public static LocalDate date(CommandReader reader) throws ImapException, IOException {
        String text = reader.peek() == '"' ? reader.string() : reader.atom();
        String[] parts = text.split("-", -1);
        try {
            if (parts.length != 3 || parts[0].isEmpty() || parts[0].length() > 2 || parts[2].length() != 4) {
                throw new DateTimeException("layout");
            }
            return LocalDate.of(Integer.parseInt(parts[2]), month(parts[1]), Integer.parseInt(parts[0]));
        } catch (RuntimeException e) {
            throw ImapException.bad("Invalid date \"" + text.replace('"', '\'') + "\"");
        }
    }

    private static int month(String name) {
        int index = MONTHS.indexOf(name.toUpperCase(Locale.ROOT));
        if (index < 0) {
            throw new DateTimeException("month " + name);
        }
        return index + 1;
    }
}
