package org.posthorn.queue.remote;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply (RFC 5321 §4.2), possibly multi-line, with its RFC 3463 enhanced status code
 * as the server gave it (RFC 2034) or derived from the reply code.
 *
 * @param code         the three-digit reply code
 * @param enhancedCode the enhanced status code, e.g. "5.1.1"; never null
 * @param lines        the text of each line without code, separator and enhanced code
 */
record SmtpReply(int code, String enhancedCode, List<String> lines) {

    /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; we tolerate more but not without bound. */
    private static final int MAX_LINE = 4096;
    /** A reply longer than this is a broken or hostile server, not a long EHLO list. */
    private static final int MAX_LINES = 1000;
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

    SmtpReply {
        lines = List.copyOf(lines);
    }

    boolean isPositive() {
        return code >= 200 && code < 300;
    }

    boolean isIntermediate() {
        return code >= 300 && code < 400;
    }

    boolean isTransient() {
        return code >= 400 && code < 500;
    }

    boolean isPermanent() {
        return code >= 500;
    }

    /** The reply text, lines joined by a space. */
    String text() {
        return String.join(" ", lines);
    }

    /** The reply as the server wrote it (first line), for diagnostics. */
    @Override
    public String toString() {
        return code + " " + enhancedCode + " " + text();
    }

    /**
     * Reads one complete reply.
     *
     * @throws SmtpProtocolException if the server sent something that is not a reply
     * @throws EOFException if the connection closed before the reply was complete
     */
    static SmtpReply read(InputStream in) throws IOException {
        List<String> texts = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine(in);
            if (line.length() < 3 || !isDigits(line.substring(0, 3))
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new SmtpProtocolException("malformed reply line: " + abbreviate(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code == -1) {
                code = lineCode;
            } else if (lineCode != code) {
                throw new SmtpProtocolException("reply code changed within a multi-line reply: " + abbreviate(line));
            }
            texts.add(line.length() > 4 ? line.substring(4) : "");
            if (texts.size() > MAX_LINES) {
                throw new SmtpProtocolException("reply with more than " + MAX_LINES + " lines");
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                break;
            }
        }
        if (code < 200 || code > 599) {
            throw new SmtpProtocolException("reply code out of range: " + code);
        }
        return of(code, texts);
    }

    /** A reply from its code and the text lines, taking the enhanced code from the first line if present. */
    static SmtpReply of(int code, List<String> texts) {
        String enhanced = null;
        List<String> stripped = new ArrayList<>(texts.size());
        for (String text : texts) {
            Matcher m = ENHANCED.matcher(text);
            // RFC 3463 §2: the class of the enhanced code matches the reply's first digit.
            if (m.find() && m.group(1).charAt(0) == (char) ('0' + code / 100)) {
                if (enhanced == null) {
                    enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
                }
                stripped.add(text.substring(m.end()));
            } else {
                stripped.add(text);
            }
        }
        return new SmtpReply(code, enhanced != null ? enhanced : derivedEnhancedCode(code), stripped);
    }

    /**
     * The status code for a reply without one: RFC 3463 gives no table from reply codes, so
     * only the replies whose meaning is unambiguous get a specific code, the rest "x.0.0".
     */
    static String derivedEnhancedCode(int code) {
        return switch (code) {
            case 452 -> "4.3.1";        // insufficient system storage
            case 552 -> "5.3.4";        // message size exceeds fixed limit
            case 553 -> "5.1.3";        // mailbox name not allowed
            case 500, 502, 503 -> "5.5.1"; // syntax error, command unrecognised, bad sequence
            case 501, 504 -> "5.5.4";   // invalid command arguments
            default -> code / 100 + ".0.0";
        };
    }

    private static String readLine(InputStream in) throws IOException {
        byte[] buf = new byte[256];
        int len = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b == '\n') {
                if (len > 0 && buf[len - 1] == '\r') {
                    len--;
                }
                return new String(buf, 0, len, StandardCharsets.UTF_8);
            }
            if (len == MAX_LINE) {
                throw new SmtpProtocolException("reply line longer than " + MAX_LINE + " octets");
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, Math.min(MAX_LINE, buf.length * 2));
            }
            buf[len++] = (byte) b;
        }
    }

    private static boolean isDigits(String s) {
        return s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String abbreviate(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
