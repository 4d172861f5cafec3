package org.posthorn.store;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.posthorn.api.store.StoreException;

/**
 * A message's flags as stored: the five system flags as 0/1 columns (so SQL can count and
 * search them) and keywords as one column {@code " kw1 kw2 "} (spaces around each, so
 * {@code LIKE '% kw %'} finds one). Keywords are kept as first written and compared
 * case-insensitively.
 */
record Flags(boolean seen, boolean answered, boolean flagged, boolean deleted, boolean draft, Set<String> keywords) {

    static final String[] SYSTEM = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"};
    /** Longest keyword column; more keywords on one message are refused. */
    static final int MAX_KEYWORDS_LENGTH = 2000;
    static final Flags NONE = new Flags(false, false, false, false, false, Set.of());

    /**
     * Parses flags as IMAP sends them. {@code \Recent} is ignored (session state); another
     * unknown system flag or a keyword that is not an IMAP atom is refused.
     */
    static Flags of(Set<String> flags) throws StoreException {
        boolean[] system = new boolean[SYSTEM.length];
        Set<String> keywords = new LinkedHashSet<>();
        Set<String> lower = new java.util.HashSet<>();
        for (String flag : flags) {
            if (flag.startsWith("\\")) {
                int index = systemIndex(flag);
                if (index >= 0) {
                    system[index] = true;
                } else if (!flag.equalsIgnoreCase("\\Recent")) {
                    throw new StoreException(StoreException.Reason.NOT_ALLOWED, "unknown system flag " + flag);
                }
            } else {
                if (!isAtom(flag)) {
                    throw new StoreException(StoreException.Reason.NOT_ALLOWED, "invalid keyword " + flag);
                }
                if (lower.add(flag.toLowerCase(Locale.ROOT))) {
                    keywords.add(flag);
                }
            }
        }
        return new Flags(system[0], system[1], system[2], system[3], system[4], keywords);
    }

    static int systemIndex(String flag) {
        for (int i = 0; i < SYSTEM.length; i++) {
            if (SYSTEM[i].equalsIgnoreCase(flag)) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 9051 atom: no specials, controls or spaces; {@code ]} excluded too (flag-keyword). */
    static boolean isAtom(String s) {
        if (s.isEmpty() || s.length() > 250) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || "(){%*\"\\]".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static Flags fromColumns(int seen, int answered, int flagged, int deleted, int draft, String keywords) {
        Set<String> set = new LinkedHashSet<>();
        if (keywords != null) {
            for (String k : keywords.split(" ")) {
                if (!k.isEmpty()) {
                    set.add(k);
                }
            }
        }
        return new Flags(seen != 0, answered != 0, flagged != 0, deleted != 0, draft != 0, set);
    }

    /** The keywords column, or null for none. */
    String keywordsColumn() throws StoreException {
        if (keywords.isEmpty()) {
            return null;
        }
        String column = " " + String.join(" ", keywords) + " ";
        if (column.length() > MAX_KEYWORDS_LENGTH) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "too many keywords on one message");
        }
        return column;
    }

    Flags apply(org.posthorn.api.store.FlagUpdate.Mode mode, Flags change) {
        return switch (mode) {
            case REPLACE -> change;
            case ADD -> new Flags(seen || change.seen, answered || change.answered, flagged || change.flagged,
                    deleted || change.deleted, draft || change.draft, union(keywords, change.keywords));
            case REMOVE -> new Flags(seen && !change.seen, answered && !change.answered,
                    flagged && !change.flagged, deleted && !change.deleted, draft && !change.draft,
                    minus(keywords, change.keywords));
        };
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> result = new LinkedHashSet<>(a);
        for (String k : b) {
            if (!containsIgnoreCase(a, k)) {
                result.add(k);
            }
        }
        return result;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> result = new LinkedHashSet<>();
        for (String k : a) {
            if (!containsIgnoreCase(b, k)) {
                result.add(k);
            }
        }
        return result;
    }

    private static boolean containsIgnoreCase(Set<String> set, String k) {
        for (String s : set) {
            if (s.equalsIgnoreCase(k)) {
                return true;
            }
        }
        return false;
    }

    /** Same flags, keywords compared case-insensitively. */
    boolean sameAs(Flags o) {
        return seen == o.seen && answered == o.answered && flagged == o.flagged && deleted == o.deleted
                && draft == o.draft && keywords.size() == o.keywords.size() && minus(keywords, o.keywords).isEmpty();
    }

    /** As IMAP lists them: system flags first. */
    Set<String> toSet() {
        Set<String> set = new LinkedHashSet<>();
        boolean[] system = {seen, answered, flagged, deleted, draft};
        for (int i = 0; i < SYSTEM.length; i++) {
            if (system[i]) {
                set.add(SYSTEM[i]);
            }
        }
        set.addAll(keywords);
        return set;
    }
}
