package org.posthorn.pop3.session;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The credentials of a SASL PLAIN response (RFC 4616): {@code [authzid] NUL authcid NUL passwd}
 * in UTF-8, base64-encoded on the wire (RFC 5034 §4). The password is kept as {@code char[]} so
 * the caller can wipe it.
 *
 * @param authorizationId the identity to act as; empty when the client asks for none
 * @param login           the authentication identity
 * @param password        the password
 */
record PlainCredentials(String authorizationId, String login, char[] password) {

    /** The response was not base64 or not a PLAIN message. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /** Decodes a client response; {@code "="} stands for an empty one (RFC 5034 §4). */
    static PlainCredentials decode(String response) throws MalformedException {
        byte[] bytes;
        try {
            bytes = response.equals("=") ? new byte[0] : Base64.getDecoder().decode(response);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("Invalid base64 in the authentication response");
        }
        try {
            int first = indexOfNul(bytes, 0);
            int second = first < 0 ? -1 : indexOfNul(bytes, first + 1);
            if (second < 0 || indexOfNul(bytes, second + 1) >= 0) {
                throw new MalformedException("A PLAIN response is [authzid] NUL login NUL password");
            }
            String authorizationId = utf8(bytes, 0, first);
            String login = utf8(bytes, first + 1, second);
            char[] password = utf8Chars(bytes, second + 1, bytes.length);
            if (login.isEmpty()) {
                throw new MalformedException("The PLAIN response has no login");
            }
            return new PlainCredentials(authorizationId, login, password);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** True if the client asks to act as someone other than itself (proxy login, not offered). */
    boolean actsForSomeoneElse() {
        return !authorizationId.isEmpty() && !authorizationId.equalsIgnoreCase(login);
    }

    private static int indexOfNul(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] bytes, int from, int to) throws MalformedException {
        return new String(utf8Chars(bytes, from, to));
    }

    private static char[] utf8Chars(byte[] bytes, int from, int to) throws MalformedException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from));
            char[] result = new char[chars.remaining()];
            chars.get(result);
            Arrays.fill(chars.array(), '\0');
            return result;
        } catch (CharacterCodingException e) {
            throw new MalformedException("The PLAIN response is not UTF-8");
        }
    }
}
