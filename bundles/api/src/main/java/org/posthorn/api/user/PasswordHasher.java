package org.posthorn.api.user;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Hashes and verifies passwords. Stored hashes are self-describing strings with a scheme
 * prefix ({@code {ARGON2ID}$argon2id$v=19$m=...}, {@code {SHA512-CRYPT}$6$...}, ...), the
 * format Dovecot's passwd-file uses, so an admin can import one unchanged.
 *
 * <p>Thread-safe. Passwords are passed as {@code char[]} so callers can wipe them; neither
 * passwords nor hashes are ever logged.
 */
@ProviderType
public interface PasswordHasher {

    /** A new hash of {@code password} in the preferred scheme, with a fresh random salt. */
    String hash(char[] password);

    /**
     * True if {@code password} matches {@code storedHash}, compared in constant time. An
     * unknown or malformed scheme never matches.
     */
    boolean verify(char[] password, String storedHash);

    /** True if {@code storedHash} is not in the preferred scheme and parameters (rehash on next login). */
    boolean needsRehash(String storedHash);
}
