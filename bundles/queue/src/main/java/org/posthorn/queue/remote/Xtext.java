package org.posthorn.queue.remote;

import java.nio.charset.StandardCharsets;

/** The xtext encoding of RFC 3461 §4 for ENVID and ORCPT values. */
final class Xtext {

    private Xtext() {
    }

    /** Encodes UTF-8 text: "+", "=", controls, space and non-ASCII bytes become "+HH". */
    static String encode(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= '!' && c <= '~' && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
