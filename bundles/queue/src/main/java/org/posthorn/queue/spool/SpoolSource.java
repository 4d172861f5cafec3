package org.posthorn.queue.spool;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.posthorn.api.mail.MessageSource;

/**
 * A message as it is delivered: some header bytes made at delivery time (trace fields, a
 * header edited by filters) followed by the spool file from an offset to its end. The spool
 * file is never rewritten and the body is never held in memory: every stream reads it afresh.
 */
final class SpoolSource implements MessageSource {

    private final byte[] prefix;
    private final Path file;
    private final long from;
    private final long size;

    SpoolSource(byte[] prefix, Path file, long from, long fileSize) {
        if (from < 0 || from > fileSize) {
            throw new IllegalArgumentException("offset " + from + " outside a file of " + fileSize + " bytes");
        }
        this.prefix = prefix;
        this.file = file;
        this.from = from;
        this.size = prefix.length + fileSize - from;
    }

    @Override
    public InputStream openStream() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            channel.position(from);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        InputStream rest = Channels.newInputStream(channel);
        return prefix.length == 0 ? rest : new SequenceInputStream(new ByteArrayInputStream(prefix), rest);
    }

    @Override
    public long size() {
        return size;
    }
}
