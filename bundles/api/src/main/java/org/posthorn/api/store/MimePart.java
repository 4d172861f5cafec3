package org.posthorn.api.store;

import java.util.List;
import java.util.Map;

/**
 * One MIME entity of a stored message (the message itself is the root), with what IMAP
 * BODYSTRUCTURE needs and the byte offsets of the entity within the raw message.
 *
 * <p>Offsets follow RFC 2046: the CRLF before a boundary delimiter belongs to the
 * delimiter, so {@code end} of a body part is the offset of that CRLF. {@code BODY[n.MIME]}
 * is {@code [headerStart, bodyStart)}, {@code BODY[n]} is {@code [bodyStart, end)};
 * {@code BODY[HEADER]} of a message is {@code [headerStart, bodyStart)} of its root and
 * {@code BODY[TEXT]} is {@code [bodyStart, end)}.
 *
 * <p>Defaults applied at parse time: a part without (or with an unparseable) Content-Type
 * is {@code text/plain; charset=us-ascii}, inside multipart/digest {@code message/rfc822}; a
 * multipart without boundary parameter is treated as {@code text/plain}; a multipart in
 * which no delimiter was found gets one empty {@code text/plain} child so BODYSTRUCTURE stays
 * well-formed. A message/rfc822 (or message/global) part whose body is base64 or
 * quoted-printable encoded is not parsed into and has no child; present it as a basic part.
 *
 * @param type             media type, lower case (e.g. "text", "multipart", "message")
 * @param subtype          media subtype, lower case
 * @param parameters       Content-Type parameters, names lower case, values unquoted, in the
 *                         order written (RFC 2231 continuations are left as separate parameters)
 * @param contentId        Content-ID or null
 * @param description      Content-Description or null (raw)
 * @param transferEncoding Content-Transfer-Encoding, upper case, "7BIT" if absent
 * @param headerStart      offset of the entity's first header byte
 * @param bodyStart        offset of the entity's first body byte (after the blank line)
 * @param end              offset one past the entity's last body byte
 * @param lines            number of lines of the body (IMAP "size in text lines", meaningful
 *                         for text/* and message/rfc822)
 * @param decodedSize      body size after undoing base64/quoted-printable (BINARY.SIZE);
 *                         equals {@link #bodySize()} for other encodings and for multiparts
 * @param disposition      Content-Disposition value, lower case, or null
 * @param dispositionParameters its parameters, like {@code parameters}
 * @param language         Content-Language values
 * @param location         Content-Location or null
 * @param md5              Content-MD5 or null
 * @param envelope         the ENVELOPE if this entity is a message (the root, or the child of
 *                         a message/rfc822 part), else null
 * @param children         the parts of a multipart, or the one embedded message of a message/rfc822
 */
public record MimePart(String type, String subtype, Map<String, String> parameters, String contentId,
                       String description, String transferEncoding, long headerStart, long bodyStart, long end,
                       long lines, long decodedSize, String disposition, Map<String, String> dispositionParameters,
                       List<String> language, String location, String md5, MessageEnvelope envelope,
                       List<MimePart> children) {

    public MimePart {
        children = List.copyOf(children);
        language = List.copyOf(language);
    }

    /** The body size in bytes. */
    public long bodySize() {
        return end - bodyStart;
    }

    /** True for multipart/*. */
    public boolean isMultipart() {
        return "multipart".equals(type);
    }

    /** True for a message/rfc822 (or message/global) part that holds a parsed embedded message. */
    public boolean isEmbeddedMessage() {
        return "message".equals(type) && children.size() == 1 && children.get(0).envelope() != null;
    }

    /**
     * The entity at an IMAP section part number ({@code "1.2"} is the second part of the
     * first part); {@code ""} is this entity. As in RFC 9051 §6.4.5, part 1 of a non-multipart
     * message is its body, which is this entity again (so a message whose body is itself a
     * message/rfc822 has that embedded message as part 1's child: {@code 1.1} is the embedded
     * message's body), and the parts of an embedded message are those of its root.
     *
     * @return the part, or null if there is none with that number
     */
    public MimePart part(String number) {
        MimePart current = this;
        if (number.isEmpty()) {
            return current;
        }
        boolean message = true;
        for (String step : number.split("\\.", -1)) {
            int index;
            try {
                index = Integer.parseInt(step);
            } catch (NumberFormatException e) {
                return null;
            }
            if (!message && current.isEmbeddedMessage()) {
                current = current.children.get(0);
            }
            if (current.isMultipart()) {
                if (index < 1 || index > current.children.size()) {
                    return null;
                }
                current = current.children.get(index - 1);
            } else if (index != 1) {
                return null;
            }
            message = false;
        }
        return current;
    }
}
