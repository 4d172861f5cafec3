package org.posthorn.queue.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.MessageSource;

class SpoolTest {

    @TempDir
    Path dir;

    private SpooledFile write(Spool spool, String id, String text) throws IOException {
        return spool.write(id, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aWrittenFileIsCompleteUnderItsIdAndTheBodyOffsetIsAfterTheEmptyLine() throws IOException {
        Spool spool = new Spool(dir);
        SpooledFile file = write(spool, "ABC", "Subject: hi\r\nX: y\r\n\r\nbody\r\n");
        assertThat(file.size()).isEqualTo(27);
        assertThat(file.bodyOffset()).isEqualTo(21);
        assertThat(Files.readString(spool.file("ABC"))).isEqualTo("Subject: hi\r\nX: y\r\n\r\nbody\r\n");
        assertThat(spool.ids()).containsExactly("ABC");
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void bodyOffsetCoversBareLineFeedsAMissingBodyAndAnEmptyHeader() throws IOException {
        Spool spool = new Spool(dir);
        assertThat(write(spool, "A", "Subject: hi\n\nbody\n").bodyOffset()).isEqualTo(13);
        assertThat(write(spool, "B", "Subject: hi\r\n").bodyOffset()).isEqualTo(13);
        assertThat(write(spool, "C", "\r\nbody only").bodyOffset()).isEqualTo(2);
        assertThat(write(spool, "D", "").bodyOffset()).isZero();
    }

    @Test
    void theHeaderBoundaryIsFoundAcrossBufferEdges() throws IOException {
        Spool spool = new Spool(dir);
        String header = "Subject: " + "x".repeat(70_000) + "\r\n\r\n";
        byte[] bytes = (header + "body").getBytes(StandardCharsets.US_ASCII);
        // a stream that hands out one byte at a time around the boundary
        InputStream trickle = new SequenceInputStream(new ByteArrayInputStream(bytes, 0, header.length() - 3),
                new InputStream() {
                    private int i = header.length() - 3;

                    @Override
                    public int read() {
                        return i < bytes.length ? bytes[i++] : -1;
                    }
                });
        assertThat(spool.write("E", trickle).bodyOffset()).isEqualTo(header.length());
    }

    @Test
    void aFailingStreamLeavesNothingBehind() throws IOException {
        Spool spool = new Spool(dir);
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(new byte[100_000]), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("client went away");
            }
        });
        assertThatThrownBy(() -> spool.write("F", failing)).hasMessageContaining("client went away");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void garbageCollectionDeletesOldFilesWithoutAnEntryAndLeftoverTemporaryFilesOnly() throws IOException {
        Spool spool = new Spool(dir);
        write(spool, "KEPT", "a");
        write(spool, "ORPHAN", "b");
        write(spool, "YOUNGORPHAN", "c");
        Files.writeString(dir.resolve("HALF.tmp"), "half a mess");
        Instant old = Instant.now().minus(Duration.ofHours(1));
        for (String name : new String[] {"KEPT", "ORPHAN", "HALF.tmp"}) {
            Files.setLastModifiedTime(dir.resolve(name), FileTime.from(old));
        }

        int deleted = spool.collectGarbage(Set.of("KEPT")::contains, Instant.now().minus(Duration.ofMinutes(5)));

        assertThat(deleted).isEqualTo(2);
        assertThat(spool.ids()).containsExactlyInAnyOrder("KEPT", "YOUNGORPHAN");
        assertThat(dir.resolve("HALF.tmp")).doesNotExist();
    }

    @Test
    void aSourceWithAPrefixStreamsThePrefixThenTheFileFromTheOffset() throws IOException {
        Spool spool = new Spool(dir);
        write(spool, "G", "Subject: old\r\n\r\nbody\r\n");
        MessageSource source = spool.withPrefix("G", "Subject: new\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 16);
        try (InputStream in = source.openStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Subject: new\r\n\r\nbody\r\n");
        }
        assertThat(source.size()).isEqualTo(22);
    }

    @Test
    void aVeryLongHeaderIsReadUpToTheLastWholeLineWithinTheLimit() throws IOException {
        Spool spool = new Spool(dir);
        String line = "X-Long: " + "y".repeat(990) + "\r\n";
        String header = line.repeat(Spool.MAX_HEADER / line.length() + 10) + "\r\n";
        SpooledFile file = write(spool, "H", header + "body");
        byte[] read = spool.readHeader("H", file.bodyOffset());
        assertThat(read.length).isLessThanOrEqualTo(Spool.MAX_HEADER).isEqualTo(read.length / line.length() * line.length());
        assertThat(spool.readHeader("H", 0)).isEmpty();
    }

    @Test
    void idsThatCouldEscapeTheSpoolAreRefused() throws IOException {
        Spool spool = new Spool(dir);
        assertThatThrownBy(() -> spool.file("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
