package org.posthorn.security.password;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/** Dovecot's {@code SSHA512}: base64 of SHA-512(password + salt) followed by the salt. */
final class SaltedSha512 {

    private static final int DIGEST_LENGTH = 64;

    private SaltedSha512() {
    }

    static boolean matches(byte[] password, String base64) throws MalformedHashException {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new MalformedHashException("not base64");
        }
        if (decoded.length <= DIGEST_LENGTH) {
            throw new MalformedHashException("no salt after the digest");
        }
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-512", e);
        }
        sha512.update(password);
        sha512.update(decoded, DIGEST_LENGTH, decoded.length - DIGEST_LENGTH);
        return MessageDigest.isEqual(sha512.digest(), Arrays.copyOf(decoded, DIGEST_LENGTH));
    }
}
