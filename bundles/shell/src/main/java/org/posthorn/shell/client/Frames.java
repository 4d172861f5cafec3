package org.posthorn.shell.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The shell socket's wire format, shared by the server in the bundle and {@link ShellClient}.
 * One connection runs one command. Every frame is a type byte, a length (int, big-endian) and
 * that many bytes:
 *
 * <pre>
 * client: DIRECTORY "/home/admin"     (optional: relative file names in the command are under it)
 * client: COMMAND "posthorn:user-list"
 * server: OUT "..." | ERR "..." | SECRET_PROMPT "Password for bob@example.org: "   (any number, in order)
 * client: SECRET "..."                                                            (one per prompt)
 * server: EXIT [status as one byte]
 * </pre>
 *
 * Only the bundle's plain Java classes are used here, so the client runs without a framework.
 */
public final class Frames {

    public static final byte DIRECTORY = 'D';
    public static final byte COMMAND = 'C';
    public static final byte OUT = 'O';
    public static final byte ERR = 'E';
    public static final byte SECRET_PROMPT = 'P';
    public static final byte SECRET = 'S';
    public static final byte EXIT = 'X';

    /** A command line, a secret or an output chunk is never longer than this. */
    public static final int MAX_FRAME = 1 << 20;

    /** Exit status: the command failed. */
    public static final int FAILED = 1;
    /** Exit status: the command was used wrongly (unknown option, missing argument). */
    public static final int USAGE = 2;

    private Frames() {
    }

    public record Frame(byte type, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    public static void write(DataOutputStream out, byte type, byte[] payload, int offset, int length) throws IOException {
        out.writeByte(type);
        out.writeInt(length);
        out.write(payload, offset, length);
        out.flush();
    }

    public static void write(DataOutputStream out, byte type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(out, type, bytes, 0, bytes.length);
    }

    /** The next frame, or null at the end of the stream. */
    public static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("bad frame length " + length);
        }
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new IOException("connection closed inside a frame", e);
        }
        return new Frame((byte) type, payload);
    }
}
