package org.posthorn.filters;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Configuration values that list several items, as {@code exe,scr,bat}. */
final class CommaSeparated {

    private CommaSeparated() {
    }

    /** The items, trimmed, in lower case, empty ones left out. */
    static Set<String> lowerCase(String value) {
        return Arrays.stream(value.split(","))
                .map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
