package org.posthorn.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.posthorn.api.user.PasswordHasher;

/**
 * TEST ONLY: unsalted SHA-256 ({@code {TEST-SHA256}hex}) and {@code {PLAIN}}, which it asks to
 * rehash. The real hasher lives in the security bundle.
 */
public final class TestPasswordHasher implements PasswordHasher {

    private static final String SCHEME = "{TEST-SHA256}";

    @Override
    public String hash(char[] password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(new String(password).getBytes(StandardCharsets.UTF_8));
            return SCHEME + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean verify(char[] password, String storedHash) {
        if (storedHash.startsWith("{PLAIN}")) {
            return MessageDigest.isEqual(storedHash.substring(7).getBytes(StandardCharsets.UTF_8),
                    new String(password).getBytes(StandardCharsets.UTF_8));
        }
        return storedHash.startsWith(SCHEME) && MessageDigest.isEqual(storedHash.getBytes(StandardCharsets.UTF_8),
                hash(password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean needsRehash(String storedHash) {
        return !storedHash.startsWith(SCHEME);
    }
}
