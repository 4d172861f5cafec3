package org.posthorn.smtp.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.posthorn.api.mail.MessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message held in a file while the SMTP policies read it, before it goes to the queue. Not
 * accepted yet, so it is not forced to disk; the file is deleted when this is closed, and files
 * a crash left behind are deleted when the server starts ({@link #clear}).
 */
final class HeldMessage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeldMessage.class);

    private final Path file;
    private final MessageSource source;

    private HeldMessage(Path file) throws IOException {
        this.file = file;
        this.source = MessageSource.ofFile(file);
    }

    /** Reads {@code message} to its end into a new file in {@code folder}; nothing is left behind if that fails. */
    static HeldMessage receive(Path folder, InputStream message) throws IOException {
        Path file = Files.createTempFile(Files.createDirectories(folder), "held-", ".eml");
        try (OutputStream out = Files.newOutputStream(file)) {
            message.transferTo(out);
            return new HeldMessage(file);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Deletes what an earlier run left in {@code folder}. */
    static void clear(Path folder) {
        try (var files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.debug("Could not clear {}: {}", folder, e.toString());
        }
    }

    MessageSource source() {
        return source;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not delete the held message {}: {}", file, e.toString());
        }
    }
}
