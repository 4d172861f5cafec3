package org.posthorn.api.store;

import java.time.Instant;
import java.util.Set;

/**
 * What is known of a message without reading it.
 *
 * @param uid          the UID
 * @param modSeq       the MODSEQ of its last change
 * @param flags        system flags (with backslash) and keywords
 * @param size         RFC822.SIZE in bytes
 * @param internalDate the IMAP internal date
 */
public record MessageMeta(long uid, long modSeq, Set<String> flags, long size, Instant internalDate) {

    public MessageMeta {
        flags = Set.copyOf(flags);
    }
}
