package org.posthorn.smtp.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

import org.posthorn.net.Connection;
import org.posthorn.net.LineTooLongException;

/**
 * The challenge and response part of AUTH (RFC 4954) for the PLAIN (RFC 4616) and LOGIN
 * mechanisms: gets the credentials from the client, with or without an initial response.
 * Checking them is the session's business.
 */
final class SaslExchange {

    /** What the client sent. The password is the caller's to wipe. */
    record Credentials(String login, char[] password) {
    }

    /** The exchange ended without credentials; {@link #reply()} says why. */
    static final class Aborted extends Exception {
        private static final long serialVersionUID = 1L;

        private final String reply;

        Aborted(String reply) {
            super(reply);
            this.reply = reply;
        }

        String reply() {
            return reply;
        }
    }

    static final String MECHANISMS = "PLAIN LOGIN";
    private static final String USERNAME = Base64.getEncoder().encodeToString("Username:".getBytes(StandardCharsets.US_ASCII));
    private static final String PASSWORD = Base64.getEncoder().encodeToString("Password:".getBytes(StandardCharsets.US_ASCII));

    private final Connection connection;

    SaslExchange(Connection connection) {
        this.connection = connection;
    }

    /**
     * Runs the exchange for {@code argument}, the text after {@code AUTH}: a mechanism name and
     * an optional initial response ({@code "="} for an empty one).
     */
    Credentials run(String argument) throws IOException, Aborted {
        String[] words = argument.strip().split(" +");
        if (words[0].isEmpty() || words.length > 2) {
            throw new Aborted("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
        }
        String initial = words.length == 2 ? words[1] : null;
        switch (words[0].toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> {
                byte[] message = decode(initial != null ? initial : challenge(""));
                try {
                    return plain(message);
                } finally {
                    Arrays.fill(message, (byte) 0);
                }
            }
            case "LOGIN" -> {
                byte[] login = decode(initial != null ? initial : challenge(USERNAME));
                byte[] password = decode(challenge(PASSWORD));
                try {
                    return new Credentials(utf8(login), utf8Chars(password));
                } finally {
                    Arrays.fill(password, (byte) 0);
                }
            }
            default -> throw new Aborted("504 5.5.4 Unrecognized authentication type; use " + MECHANISMS);
        }
    }

    /** RFC 4616: {@code [authzid] NUL authcid NUL passwd}; an authzid other than the authcid is not supported. */
    private static Credentials plain(byte[] message) throws Aborted {
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (second < 0 || indexOf(message, second + 1) >= 0) {
            throw new Aborted("501 5.5.2 Malformed PLAIN response");
        }
        String authorizationId = utf8(Arrays.copyOfRange(message, 0, first));
        String login = utf8(Arrays.copyOfRange(message, first + 1, second));
        byte[] password = Arrays.copyOfRange(message, second + 1, message.length);
        try {
            if (!authorizationId.isEmpty() && !authorizationId.equals(login)) {
                throw new Aborted("535 5.7.8 Authentication credentials invalid (acting for another user is not supported)");
            }
            return new Credentials(login, utf8Chars(password));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Sends {@code 334 challenge} and returns the client's answer; {@code *} cancels (RFC 4954 §4). */
    private String challenge(String challenge) throws IOException, Aborted {
        connection.writeLine("334 " + challenge);
        String response;
        try {
            response = connection.readLine().text().strip();
        } catch (LineTooLongException e) {
            throw new Aborted("500 5.5.6 Authentication exchange line is too long");
        }
        if (response.equals("*")) {
            throw new Aborted("501 5.0.0 Authentication cancelled");
        }
        return response;
    }

    private static byte[] decode(String base64) throws Aborted {
        if (base64.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new Aborted("501 5.5.2 Cannot decode the response (base64 expected)");
        }
    }

    private static String utf8(byte[] bytes) throws Aborted {
        return new String(utf8Chars(bytes));
    }

    private static char[] utf8Chars(byte[] bytes) throws Aborted {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            char[] result = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return result;
        } catch (CharacterCodingException e) {
            throw new Aborted("501 5.5.2 Credentials must be UTF-8");
        }
    }
}
