package org.posthorn.api.filter;

/**
 * One header field: the name as written, and the value unfolded (CRLF + WSP removed), not
 * decoded (encoded-words stay as they are).
 */
public record HeaderField(String name, String value) {
}
