package org.posthorn.sieve.script;

import java.math.BigInteger;
import java.util.regex.Pattern;

/** Comparators (RFC 4790 via RFC 5228 §2.7.3) and match types (§2.7.1). */
final class Matcher {

    private final String comparator;
    private final String matchType;

    private Matcher(String comparator, String matchType) {
        this.comparator = comparator;
        this.matchType = matchType;
    }

    static Matcher of(Args args) {
        String comparator = args.has("comparator") ? args.string("comparator") : "i;ascii-casemap";
        String matchType = args.has("matches") ? "matches" : args.has("contains") ? "contains" : "is";
        return new Matcher(comparator, matchType);
    }

    boolean matches(String value, String key) {
        if (comparator.equals("i;ascii-numeric")) {
            return matchType.equals("is") && numericEquals(value, key);
        }
        boolean fold = comparator.equals("i;ascii-casemap");
        String v = fold ? asciiLower(value) : value;
        String k = fold ? asciiLower(key) : key;
        return switch (matchType) {
            case "contains" -> v.contains(k);
            case "matches" -> wildcard(k).matcher(v).matches();
            default -> v.equals(k);
        };
    }

    /** RFC 4790 §9.1: the leading digits as a number; no digits is positive infinity, equal only to itself. */
    private static boolean numericEquals(String a, String b) {
        BigInteger x = leadingNumber(a);
        BigInteger y = leadingNumber(b);
        return x == null ? y == null : x.equals(y);
    }

    private static BigInteger leadingNumber(String s) {
        int end = 0;
        while (end < s.length() && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
            end++;
        }
        return end == 0 ? null : new BigInteger(s.substring(0, end));
    }

    /** RFC 5228 §2.7.1: "*" any sequence, "?" one character, "\" quotes the next character. */
    private static Pattern wildcard(String key) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                if (c == '\\' && i + 1 < key.length()) {
                    c = key.charAt(++i);
                }
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    static String asciiLower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return out.toString();
    }
}
