package org.posthorn.security.password;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Passwords as the UTF-8 bytes every scheme hashes, without an intermediate {@code String}. */
final class PasswordBytes {

    private PasswordBytes() {
    }

    /**
     * The UTF-8 encoding of {@code password}. The caller wipes the result when done. A lone
     * surrogate cannot come from a real keyboard; it is replaced, as {@code String.getBytes} would.
     */
    static byte[] utf8(char[] password) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .encode(CharBuffer.wrap(password));
            byte[] bytes = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
            Arrays.fill(encoded.array(), (byte) 0);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 encoding with REPLACE cannot fail", e);
        }
    }
}
