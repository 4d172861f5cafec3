package org.posthorn.api.store;

import org.posthorn.api.mail.MessageSource;

/**
 * A stored message: its metadata, the raw bytes exactly as delivered, and the MIME
 * structure parsed at delivery time, with byte offsets into the raw bytes so a part can be
 * served without parsing the message again.
 */
public record StoredMessage(MessageMeta meta, MessageSource source, MimePart structure) {
}
