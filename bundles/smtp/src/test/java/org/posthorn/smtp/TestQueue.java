package org.posthorn.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.posthorn.api.mail.Envelope;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.queue.QueuedMessage;

/**
 * A mail queue for the tests: each message goes to a file in a folder, as a real spool would,
 * and is kept only once it was read to its end. Records what it accepted.
 */
final class TestQueue implements MailQueue {

    /** One accepted message. */
    record Queued(String id, Envelope envelope, Path file) {
        String text() throws IOException {
            return Files.readString(file, StandardCharsets.UTF_8);
        }

        long size() throws IOException {
            return Files.size(file);
        }
    }

    private final Path folder;
    private final AtomicInteger ids = new AtomicInteger();
    final List<Queued> messages = new CopyOnWriteArrayList<>();
    /** Set to make the next enqueue calls fail (after reading the message). */
    final AtomicReference<QueueException> failure = new AtomicReference<>();

    TestQueue(Path folder) {
        this.folder = folder;
    }

    @Override
    public QueuedMessage enqueue(Envelope envelope, InputStream message) throws QueueException {
        String id = "Q" + ids.incrementAndGet();
        Path file = folder.resolve(id + ".eml");
        try (OutputStream out = Files.newOutputStream(file)) {
            message.transferTo(out);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new QueueException("could not read the message: " + e.getMessage(), true, e);
        }
        QueueException refusal = failure.get();
        if (refusal != null) {
            deleteQuietly(file);
            throw refusal;
        }
        messages.add(new Queued(id, envelope, file));
        try {
            return new QueuedMessage(id, Files.size(file));
        } catch (IOException e) {
            throw new QueueException("cannot stat " + file, true, e);
        }
    }

    /** Files in the spool folder: only accepted messages may be there. */
    long spooledFiles() throws IOException {
        try (var files = Files.list(folder)) {
            return files.count();
        }
    }

    Queued only() {
        if (messages.size() != 1) {
            throw new AssertionError("expected one queued message, got " + messages.size());
        }
        return messages.get(0);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a test spool in a temp folder; JUnit removes it
        }
    }
}
