package org.posthorn.security.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** The password schemes {@link Argon2PasswordHasher} verifies, by their Dovecot names. */
enum Scheme {
    ARGON2ID("ARGON2ID") {
        @Override
        boolean matches(byte[] password, String body) throws MalformedHashException {
            return argon2(Argon2Type.ARGON2ID, password, body);
        }
    },
    ARGON2I("ARGON2I") {
        @Override
        boolean matches(byte[] password, String body) throws MalformedHashException {
            return argon2(Argon2Type.ARGON2I, password, body);
        }
    },
    SHA512_CRYPT("SHA512-CRYPT") {
        @Override
        boolean matches(byte[] password, String body) throws MalformedHashException {
            return ShaCrypt.SHA512.matches(password, body);
        }
    },
    SHA256_CRYPT("SHA256-CRYPT") {
        @Override
        boolean matches(byte[] password, String body) throws MalformedHashException {
            return ShaCrypt.SHA256.matches(password, body);
        }
    },
    BLF_CRYPT("BLF-CRYPT") {
        @Override
        boolean matches(byte[] password, String body) throws MalformedHashException {
            if (!(body.startsWith("$2a$") || body.startsWith("$2b$") || body.startsWith("$2y$"))) {
                throw new MalformedHashException("not a $2a$, $2b$ or $2y$ bcrypt string");
            }
            try {
                // Bouncy Castle recomputes the bcrypt string and compares it in constant time.
                return OpenBSDBCrypt.checkPassword(body, password);
            } catch (RuntimeException e) {
                // IllegalArgumentException or DataLengthException: wrong length, cost or salt
                throw new MalformedHashException("not a valid bcrypt string");
            }
        }
    },
    SSHA512("SSHA512") {
        @Override
        boolean matches(byte[] password, String body) throws MalformedHashException {
            return SaltedSha512.matches(password, body);
        }
    },
    PLAIN("PLAIN") {
        @Override
        boolean matches(byte[] password, String body) {
            return MessageDigest.isEqual(password, body.getBytes(StandardCharsets.UTF_8));
        }
    };

    private final String dovecotName;

    Scheme(String dovecotName) {
        this.dovecotName = dovecotName;
    }

    /** The scheme as written in braces before a stored hash, e.g. {@code SHA512-CRYPT}. */
    String dovecotName() {
        return dovecotName;
    }

    static Optional<Scheme> byDovecotName(String name) {
        return Arrays.stream(values()).filter(scheme -> scheme.dovecotName.equals(name)).findFirst();
    }

    /** True if {@code password} (UTF-8 bytes) matches {@code body}, the hash after the scheme prefix. */
    abstract boolean matches(byte[] password, String body) throws MalformedHashException;

    private static boolean argon2(Argon2Type expected, byte[] password, String body) throws MalformedHashException {
        Argon2Hash hash = Argon2Hash.parse(body);
        if (hash.type() != expected) {
            throw new MalformedHashException("PHC string of another Argon2 variant");
        }
        return hash.matches(password);
    }
}
