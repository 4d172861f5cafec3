package org.posthorn.imap.sort;

import java.util.Comparator;
import java.util.List;

/** The order SORT (RFC 5256 §3, RFC 5957) puts messages in; ties go by message number. */
public final class SortOrder {

    /** One criterion: a sort key, possibly REVERSE. */
    public record Criterion(String key, boolean reverse) {
    }

    /** The keys this server sorts by. */
    public static final List<String> KEYS =
            List.of("ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO");

    private SortOrder() {
    }

    public static Comparator<SortKeys> of(List<Criterion> criteria) {
        Comparator<SortKeys> order = null;
        for (Criterion criterion : criteria) {
            Comparator<SortKeys> next = key(criterion.key());
            if (criterion.reverse()) {
                next = next.reversed();
            }
            order = order == null ? next : order.thenComparing(next);
        }
        Comparator<SortKeys> byNumber = Comparator.comparingLong(SortKeys::number);
        return order == null ? byNumber : order.thenComparing(byNumber);
    }

    private static Comparator<SortKeys> key(String key) {
        return switch (key) {
            case "ARRIVAL" -> Comparator.comparing(SortKeys::arrival);
            case "CC" -> Comparator.comparing(SortKeys::cc);
            case "DATE" -> Comparator.comparing(SortKeys::sent);
            case "FROM" -> Comparator.comparing(SortKeys::from);
            case "SIZE" -> Comparator.comparingLong(SortKeys::size);
            case "SUBJECT" -> Comparator.comparing(k -> k.subject().text());
            case "TO" -> Comparator.comparing(SortKeys::to);
            case "DISPLAYFROM" -> Comparator.comparing(SortKeys::displayFrom);
            case "DISPLAYTO" -> Comparator.comparing(SortKeys::displayTo);
            default -> throw new IllegalArgumentException("sort key " + key);
        };
    }
}
