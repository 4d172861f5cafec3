package org.posthorn.store.mime;

import java.time.OffsetDateTime;

import org.posthorn.api.store.MimePart;

/**
 * What delivery keeps of a parse: the structure (with the envelope on the root) and the
 * header texts SEARCH runs on, decoded (RFC 2047) and lower-cased.
 *
 * @param structure the root entity
 * @param sentDate  the Date field, or null if missing or unreadable
 * @param from      decoded From text, lower case, or null if absent
 * @param to        decoded To text, lower case, or null
 * @param cc        decoded Cc text, lower case, or null
 * @param bcc       decoded Bcc text, lower case, or null
 * @param subject   decoded Subject, lower case, or null
 */
public record ParsedMessage(MimePart structure, OffsetDateTime sentDate, String from, String to, String cc,
                            String bcc, String subject) {
}
