package org.posthorn.imap.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.posthorn.api.mail.MessageSource;
import org.posthorn.imap.protocol.ImapException;

/**
 * An APPEND message on its way into the store, which reads it twice (parse, then store): the
 * literal is copied from the connection into memory while small and into a temporary file
 * once it grows, so a 50 MB APPEND costs a buffer of heap, not 50 MB. Delete it with {@link #close()}.
 */
final class LiteralSpool implements AutoCloseable {

    /** The most bytes one APPEND (all messages of a MULTIAPPEND together) keeps in memory. */
    static final int IN_MEMORY = 256 * 1024;

    private byte[] bytes;
    private Path file;

    /** Copies exactly {@code length} bytes of {@code in}: into memory if they fit in {@code memoryLeft}. */
    LiteralSpool(InputStream in, long length, long memoryLeft) throws IOException {
        if (length <= memoryLeft) {
            bytes = in.readNBytes((int) length);
            checkLength(bytes.length, length);
            return;
        }
        file = Files.createTempFile("posthorn-imap-append", ".eml");
        try (OutputStream target = Files.newOutputStream(file)) {
            checkLength(in.transferTo(target), length);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void checkLength(long actual, long expected) throws IOException {
        if (actual != expected) {
            throw new java.io.EOFException("literal ended after " + actual + " of " + expected + " bytes");
        }
    }

    /**
     * RFC 3516: content with NUL bytes gets its NUL-holding parts base64-encoded (in a new
     * temporary file), as no FETCH BODY[] may send a NUL; see {@link NulParts}.
     *
     * @return true if the content changed
     */
    boolean encodeNulParts() throws IOException, ImapException {
        if (!NulParts.hasNul(source())) {
            return false;
        }
        Path encoded = Files.createTempFile("posthorn-imap-append", ".eml");
        try (OutputStream target = Files.newOutputStream(encoded)) {
            NulParts.encode(source(), target);
        } catch (IOException | ImapException | RuntimeException e) {
            Files.deleteIfExists(encoded);
            throw e;
        }
        close();
        file = encoded;
        return true;
    }

    /** The bytes held in memory. */
    long inMemory() {
        return bytes == null ? 0 : bytes.length;
    }

    MessageSource source() throws IOException {
        return bytes != null ? MessageSource.ofBytes(bytes) : MessageSource.ofFile(file);
    }

    @Override
    public void close() throws IOException {
        bytes = null;
        if (file != null) {
            Files.deleteIfExists(file);
            file = null;
        }
    }
}
