package org.posthorn.imap.sort;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The base subject of RFC 5256 §2.1, by which SORT and THREAD compare subjects: decoded, with
 * reply and forward markers ({@code Re:}, {@code Fwd:}, {@code [list]} blobs, a {@code (fwd)}
 * trailer, a {@code [Fwd: ...]} wrapper) taken off, white space collapsed, in upper case.
 *
 * @param text    the base subject
 * @param isReply whether markers of a reply or forward were taken off (RFC 5256 §2.1 step 6)
 */
record BaseSubject(String text, boolean isReply) {

    private static final Pattern TRAILER = Pattern.compile("(?i)(\\s|\\(fwd\\))+$");
    private static final String BLOB = "\\[[^\\[\\]]*\\]\\s*";
    private static final Pattern REFWD = Pattern.compile("(?i)^(" + BLOB + ")*(re|fwd?)\\s*(" + BLOB + ")?:\\s*");
    private static final Pattern LEADING_BLOB = Pattern.compile("^" + BLOB);
    private static final Pattern FWD_WRAPPER = Pattern.compile("(?i)^\\[fwd:(.*)]$");

    static BaseSubject of(String subject) {
        if (subject == null) {
            return new BaseSubject("", false);
        }
        String s = EncodedWords.decode(subject).replaceAll("\\s+", " ").strip();
        boolean reply = false;
        while (true) {
            // step 2: trailers
            Matcher trailer = TRAILER.matcher(s);
            if (trailer.find() && trailer.start() < s.length()) {
                reply |= trailer.group().toLowerCase(Locale.ROOT).contains("(fwd)");
                s = s.substring(0, trailer.start());
            }
            // steps 3 and 4: leaders and blobs, until nothing changes
            boolean changed = true;
            while (changed) {
                changed = false;
                Matcher refwd = REFWD.matcher(s);
                if (refwd.find() && refwd.end() > 0) {
                    s = s.substring(refwd.end());
                    reply = true;
                    changed = true;
                }
                Matcher blob = LEADING_BLOB.matcher(s);
                if (blob.find() && blob.end() < s.length()) {
                    s = s.substring(blob.end());
                    changed = true;
                }
            }
            // step 5: a [Fwd: ...] wrapper, then again from step 2
            Matcher wrapper = FWD_WRAPPER.matcher(s);
            if (!wrapper.matches()) {
                break;
            }
            s = wrapper.group(1).strip();
            reply = true;
        }
        return new BaseSubject(s.strip().toUpperCase(Locale.ROOT), reply);
    }
}
