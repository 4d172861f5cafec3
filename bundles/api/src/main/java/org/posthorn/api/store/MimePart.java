package org.posthorn.api.store;

import java.util.List;
import java.util.Map;

/**
 * One MIME entity of a stored message (the message itself is the root), with what IMAP
 * BODYSTRUCTURE needs and the byte offsets of the entity within the raw message.
 *
 * @param type             media type, lower case (e.g. "text", "multipart", "message")
 * @param subtype          media subtype, lower case
 * @param parameters       Content-Type parameters, names lower case, in the order written
 * @param contentId        Content-ID or null
 * @param description      Content-Description or null
 * @param transferEncoding Content-Transfer-Encoding, upper case, "7BIT" if absent
 * @param headerStart      offset of the entity's first header byte
 * @param bodyStart        offset of the entity's first body byte (after the blank line)
 * @param end              offset one past the entity's last body byte
 * @param lines            number of lines of the body (for text/* and message/rfc822)
 * @param disposition      Content-Disposition value, lower case, or null
 * @param dispositionParameters its parameters
 * @param language         Content-Language values
 * @param location         Content-Location or null
 * @param md5              Content-MD5 or null
 * @param children         the parts of a multipart, or the one embedded message of a message/rfc822
 */
public record MimePart(String type, String subtype, Map<String, String> parameters, String contentId,
                       String description, String transferEncoding, long headerStart, long bodyStart, long end,
                       long lines, String disposition, Map<String, String> dispositionParameters,
                       List<String> language, String location, String md5, List<MimePart> children) {

    public MimePart {
        children = List.copyOf(children);
        language = List.copyOf(language);
    }

    /** The body size in bytes. */
    public long bodySize() {
        return end - bodyStart;
    }
}
