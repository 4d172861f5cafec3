package org.posthorn.filters.mime;

import java.util.Locale;
import java.util.Map;

/**
 * The header of one MIME part (RFC 2045, RFC 2183) as far as the filters need it.
 *
 * @param contentType       type/subtype in lower case; {@code text/plain} when absent (RFC 2045 §5.2)
 * @param contentTypeParams parameters of Content-Type, names in lower case, values unquoted
 * @param disposition       {@code attachment}, {@code inline} or empty, lower case
 * @param dispositionParams parameters of Content-Disposition
 * @param transferEncoding  Content-Transfer-Encoding in lower case; {@code 7bit} when absent
 */
public record MimePart(String contentType, Map<String, String> contentTypeParams, String disposition,
                       Map<String, String> dispositionParams, String transferEncoding) {

    /** The file name the sender gave: Content-Disposition filename, else Content-Type name; decoded; or null. */
    public String fileName() {
        String name = dispositionParams.get("filename");
        return name != null ? name : contentTypeParams.get("name");
    }

    public boolean isMultipart() {
        return contentType.startsWith("multipart/") && contentTypeParams.containsKey("boundary");
    }

    public boolean isText() {
        return contentType.startsWith("text/");
    }

    public String charset() {
        return contentTypeParams.getOrDefault("charset", "us-ascii").toLowerCase(Locale.ROOT);
    }
}
