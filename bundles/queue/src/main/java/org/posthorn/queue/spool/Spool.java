package org.posthorn.queue.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.posthorn.api.mail.MessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool directory: one file per queue entry, named by its queue id, written once and never
 * changed. A file is written under a temporary name, forced to disk and then renamed, so a file
 * with an id for a name is always complete; the rename itself becomes durable with
 * {@link #syncDirectory()}, which the caller runs before the entry's database row commits.
 * A file without a row is garbage (a crash between the rename and the commit).
 */
public final class Spool {

    /** What writes the message bytes into the spool. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern ID = Pattern.compile("[0-9A-Z]{1,32}");
    private static final int BUFFER_SIZE = 64 * 1024;
    /** The most header bytes read for filters and DSNs; a longer header is cut at a line end. */
    public static final int MAX_HEADER = 1024 * 1024;

    private final Path directory;

    public Spool(Path directory) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        Files.createDirectories(this.directory);
    }

    public Path directory() {
        return directory;
    }

    /** Copies {@code message} to its end into the spool file {@code id}; see {@link #write(String, Content)}. */
    public SpooledFile write(String id, InputStream message) throws IOException {
        return write(id, message::transferTo);
    }

    /**
     * Writes a new spool file: to a temporary name, forced to disk, then renamed to {@code id}.
     * If {@code content} throws, nothing is left behind and the exception is rethrown.
     */
    public SpooledFile write(String id, Content content) throws IOException {
        Path target = file(id);
        Path temp = directory.resolve(id + TEMP_SUFFIX);
        HeaderBoundary boundary = new HeaderBoundary();
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 ChannelOutput out = new ChannelOutput(channel, boundary)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        return new SpooledFile(id, boundary.position(), boundary.bodyOffset());
    }

    /** Forces the directory itself to disk, making every rename into it so far durable. */
    public void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    public Path file(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a queue id: " + id);
        }
        return directory.resolve(id);
    }

    public boolean exists(String id) {
        return Files.isRegularFile(file(id));
    }

    /** The message exactly as it was received. */
    public MessageSource original(String id) throws IOException {
        Path file = file(id);
        return new SpoolSource(new byte[0], file, 0, Files.size(file));
    }

    /** {@code prefix}, then the spool file from {@code from} to its end. */
    public MessageSource withPrefix(String id, byte[] prefix, long from) throws IOException {
        Path file = file(id);
        return new SpoolSource(prefix, file, from, Files.size(file));
    }

    /**
     * The header of a spool file: its first {@code bodyOffset} bytes (which include the empty
     * line), or, for a header longer than {@link #MAX_HEADER}, as many whole lines as fit.
     */
    public byte[] readHeader(String id, long bodyOffset) throws IOException {
        byte[] bytes = new byte[(int) Math.min(bodyOffset, MAX_HEADER)];
        try (InputStream in = Files.newInputStream(file(id))) {
            int n = in.readNBytes(bytes, 0, bytes.length);
            if (n < bytes.length) {
                throw new IOException("spool file " + id + " is shorter than its header");
            }
        }
        if (bodyOffset <= MAX_HEADER) {
            return bytes;
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        return Arrays.copyOf(bytes, end);
    }

    /** Removes an entry's file; a file already gone is fine. */
    public void delete(String id) {
        deleteQuietly(file(id));
    }

    /** The ids of the complete files in the spool. */
    public Set<String> ids() throws IOException {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (ID.matcher(name).matches()) {
                    ids.add(name);
                }
            }
        }
        return ids;
    }

    /**
     * Deletes temporary files and files whose id {@code isEntry} does not know, if they were last
     * changed before {@code modifiedBefore}. The age limit protects a file another thread or node
     * has renamed into place but whose row has not committed yet.
     *
     * @return how many files were deleted
     */
    public int collectGarbage(Predicate<String> isEntry, Instant modifiedBefore) throws IOException {
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean garbage = name.endsWith(TEMP_SUFFIX) || (ID.matcher(name).matches() && !isEntry.test(name));
                if (garbage && modifiedBefore(f, modifiedBefore)) {
                    LOG.info("Deleting spool file {}: no queue entry owns it (left by an interrupted enqueue)", name);
                    deleteQuietly(f);
                    deleted++;
                }
            }
        }
        return deleted;
    }

    private static boolean modifiedBefore(Path f, Instant limit) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(f, BasicFileAttributes.class);
            return attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(limit);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.warn("Cannot read the attributes of spool file {}: {}", f, e.getMessage());
            return false;
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.warn("Cannot delete spool file {}: {}", f, e.getMessage());
        }
    }

    /** Buffers writes into large chunks for the channel and watches for the end of the header. */
    private static final class ChannelOutput extends OutputStream {
        private final FileChannel channel;
        private final HeaderBoundary boundary;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);

        ChannelOutput(FileChannel channel, HeaderBoundary boundary) {
            this.channel = channel;
            this.boundary = boundary;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            boundary.update(bytes, offset, length);
            while (length > 0) {
                int n = Math.min(length, buffer.remaining());
                buffer.put(bytes, offset, n);
                offset += n;
                length -= n;
                if (!buffer.hasRemaining()) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }
}
