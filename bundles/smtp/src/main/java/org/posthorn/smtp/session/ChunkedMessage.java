package org.posthorn.smtp.session;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import org.posthorn.net.Connection;
import org.posthorn.net.Line;
import org.posthorn.net.LineTooLongException;

/**
 * A message sent in BDAT chunks (RFC 3030) as one stream, so the queue gets it in a single
 * {@code enqueue} call however many chunks it takes and nothing is buffered. When a chunk ends
 * and it was not the last, the chunk is acknowledged and the next command is read from here:
 * another BDAT continues the stream, NOOP is answered in passing, anything else ends the
 * transaction ({@link Interrupted}) and is handed back to the session to run as a command.
 *
 * <p>Read on the connection's thread only: the queue reads the stream inside {@code enqueue},
 * which the session calls on that thread.
 */
final class ChunkedMessage extends BlockStream {

    /** A command other than BDAT arrived before BDAT LAST: the transaction is abandoned. */
    static final class Interrupted extends IOException {
        private static final long serialVersionUID = 1L;

        private final transient Line command;

        Interrupted(Line command) {
            super("BDAT transaction interrupted by another command");
            this.command = command;
        }

        /** The command to run now, or {@code null} if it was already answered. */
        Line command() {
            return command;
        }
    }

    /** The size and LAST flag of one BDAT command. */
    record Chunk(long size, boolean last) {

        /** Parses the argument of BDAT: {@code chunk-size [SP "LAST"]}; {@code null} if malformed. */
        static Chunk parse(String argument) {
            String[] words = argument.strip().split(" +");
            if (words.length == 0 || words.length > 2 || words[0].isEmpty() || words[0].length() > 18
                    || !words[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            if (words.length == 2 && !words[1].equalsIgnoreCase("LAST")) {
                return null;
            }
            return new Chunk(Long.parseLong(words[0]), words.length == 2);
        }
    }

    private final Connection connection;
    private Chunk chunk;
    private InputStream current;
    private long total;

    ChunkedMessage(Connection connection, Chunk first) {
        this.connection = connection;
        this.chunk = first;
        this.current = connection.readCounted(first.size());
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        for (;;) {
            int n = current.read(bytes, offset, length);
            if (n >= 0) {
                total += n;
                return n;
            }
            if (chunk.last()) {
                return -1;
            }
            connection.writeLine("250 2.0.0 " + chunk.size() + " octets received (" + total + " in total)");
            nextChunk();
        }
    }

    /** Reads commands until the next BDAT. */
    private void nextChunk() throws IOException {
        for (;;) {
            Line line;
            try {
                line = connection.readLine();
            } catch (LineTooLongException e) {
                connection.writeLine("500 5.5.2 Line too long; BDAT transaction abandoned");
                throw new Interrupted(null);
            }
            String text = line.text();
            String verb = text.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            if (verb.equals("NOOP")) {
                connection.writeLine("250 2.0.0 Ok");
                continue;
            }
            if (!verb.equals("BDAT") || line.endedWithBareLf()) {
                throw new Interrupted(line);
            }
            Chunk next = Chunk.parse(text.substring(verb.length()));
            if (next == null) {
                throw new Interrupted(line);
            }
            chunk = next;
            current = connection.readCounted(next.size());
            return;
        }
    }

    /** Skips the rest of the current chunk, so the connection stays in step with the client. */
    @Override
    public void close() throws IOException {
        current.close();
    }
}
