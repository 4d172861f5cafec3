package org.posthorn.filters;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One rule of the pattern rule set, written {@code <action> <where> <regex>}, e.g.
 * {@code junk header:Subject (?i)\bcheap pills\b} or {@code reject body (?i)wire the money}.
 *
 * @param name    the rule's name (the part of its key after {@code rule.}), shown in the tag and the bounce
 * @param action  what a match does
 * @param header  the header field name to test, or null to test the body text
 * @param pattern found anywhere in a header field value or in one line of body text
 */
record PatternRule(String name, RuleAction action, String header, Pattern pattern) {

    static PatternRule parse(String name, String text) {
        String[] words = text.strip().split("\\s+", 3);
        if (words.length < 3) {
            throw new IllegalArgumentException("rule." + name + ": expected '<action> <where> <regex>', got '" + text + "'");
        }
        RuleAction action = RuleAction.parse(words[0]);
        String where = words[1];
        String header;
        if (where.toLowerCase(Locale.ROOT).equals("body")) {
            header = null;
        } else if (where.toLowerCase(Locale.ROOT).startsWith("header:") && where.length() > "header:".length()) {
            header = where.substring("header:".length());
        } else {
            throw new IllegalArgumentException("rule." + name + ": where is 'body' or 'header:<Name>', not '" + where + "'");
        }
        try {
            return new PatternRule(name, action, header, Pattern.compile(words[2]));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("rule." + name + ": bad regular expression: " + e.getMessage(), e);
        }
    }

    boolean testsBody() {
        return header == null;
    }

    boolean matches(String text) {
        return pattern.matcher(text).find();
    }

    String reason() {
        return "rule " + name + " matched " + (header == null ? "the body" : header);
    }
}
