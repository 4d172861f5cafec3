package org.posthorn.shell.command;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a command gets a password from when none was given in a file: the shell socket asks
 * the client, which reads it without echo from its terminal. A session that offers one has it
 * in the session variable {@link #VARIABLE}.
 */
public interface SecretSource {

    String VARIABLE = "posthorn.secrets";

    /** The secret the admin typed, or an empty array if none came. */
    char[] read(String prompt) throws Exception;

    /** The first {@code length} bytes of {@code utf8} as characters; the bytes are wiped. */
    static char[] decode(byte[] utf8, int length) {
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8, 0, length));
        Arrays.fill(utf8, (byte) 0);
        char[] secret = new char[chars.remaining()];
        chars.get(secret);
        return secret;
    }
}
