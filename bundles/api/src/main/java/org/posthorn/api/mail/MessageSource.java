package org.posthorn.api.mail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The raw bytes of one RFC 5322 message (header and body, CRLF line endings), readable as
 * often as needed without holding the message in memory: each {@link #openStream()} call
 * returns a fresh stream positioned at the first byte.
 *
 * <p>Implementations are thread-safe; each stream belongs to the caller that opened it,
 * who must close it. A source stays readable at least as long as the call that handed it
 * out is running (a filter's {@code filter} call, a store's delivery).
 */
public interface MessageSource {

    /** A new stream over the whole message; the caller closes it. */
    InputStream openStream() throws IOException;

    /** The exact number of bytes {@link #openStream()} yields. */
    long size();

    /** A source over bytes already in memory (small messages, generated bounces, tests). */
    static MessageSource ofBytes(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new MessageSource() {
            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(copy);
            }

            @Override
            public long size() {
                return copy.length;
            }
        };
    }

    /** A source over a file that must not change while the source is in use. */
    static MessageSource ofFile(Path file) throws IOException {
        long size = Files.size(file);
        return new MessageSource() {
            @Override
            public InputStream openStream() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public long size() {
                return size;
            }
        };
    }
}
