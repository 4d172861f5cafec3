package org.posthorn.api.store;

/**
 * A stored message: its metadata, the raw bytes exactly as delivered, and the MIME
 * structure parsed at delivery time, with byte offsets into the raw bytes so a part can be
 * served without parsing the message again.
 *
 * @param meta      flags, size, dates
 * @param source    the raw bytes; readable after the call returned
 * @param structure the root entity; its {@link MimePart#envelope()} is the message's ENVELOPE
 */
public record StoredMessage(MessageMeta meta, StoredContent source, MimePart structure) {

    /** The ENVELOPE of the message. */
    public MessageEnvelope envelope() {
        return structure.envelope();
    }
}
