package org.posthorn.api.store;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.annotation.versioning.ProviderType;
import org.posthorn.api.mail.MessageSource;

/**
 * The raw bytes of a stored message, readable after the call that returned it has ended
 * (IMAP streams it to a client later). Each stream reads the database on its own and must
 * be closed by the caller; an unclosed stream holds a database connection. If the message is
 * expunged and purged meanwhile, opening fails with an {@link IOException}.
 */
@ProviderType
public interface StoredContent extends MessageSource {

    /**
     * A stream over {@code length} bytes from {@code offset} (clipped to the message size),
     * e.g. a part's body between {@link MimePart#bodyStart()} and {@link MimePart#end()}.
     */
    InputStream openRange(long offset, long length) throws IOException;

    /**
     * The body of a leaf part with its Content-Transfer-Encoding (base64, quoted-printable)
     * undone, for RFC 3516 BINARY. Yields exactly {@link MimePart#decodedSize()} bytes.
     * Other encodings are returned as stored.
     */
    InputStream openDecoded(MimePart part) throws IOException;
}
