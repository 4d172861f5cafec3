package org.posthorn.pop3.session;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One command line: the keyword and what follows it. RFC 1939 §3 separates keyword and
 * arguments by one space; {@link #arguments()} also accepts several (and ignores trailing
 * ones), while {@link #rest()} keeps the text after the keyword exactly, for PASS, whose one
 * argument may contain spaces.
 *
 * @param keyword the first word as sent
 * @param rest    everything after the first space, unchanged; empty if none
 */
record Request(String keyword, String rest) {

    private static final Pattern SPACES = Pattern.compile(" +");

    static Request parse(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? new Request(line, "") : new Request(line.substring(0, space), line.substring(space + 1));
    }

    /** The arguments, split at spaces. */
    List<String> arguments() {
        String trimmed = rest.strip();
        return trimmed.isEmpty() ? List.of() : List.of(SPACES.split(trimmed));
    }

    /**
     * Client text as it may be shown in a reply or a log line: printable ASCII (anything else
     * becomes {@code ?}), at most {@code max} characters.
     */
    static String printable(String text, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() < max; i++) {
            char c = text.charAt(i);
            sb.append(c >= ' ' && c < 127 ? c : '?');
        }
        return text.length() > max ? sb.append("...").toString() : sb.toString();
    }
}
