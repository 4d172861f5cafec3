package org.posthorn.security.password;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stored password hash split into its scheme and the part the scheme reads: either
 * Dovecot's {@code {SCHEME}body}, or a bare crypt/PHC string recognised by its
 * {@code $id$} ({@code $argon2id$}, {@code $6$}, {@code $2y$}, ...).
 *
 * @param label  the scheme as it may be logged: {@code {NAME}}, or a bare {@code $id$}; never the hash
 * @param scheme the scheme, empty if this one is not supported
 * @param body   what the scheme reads
 */
record StoredHash(String label, Optional<Scheme> scheme, String body) {

    // A name in braces that is safe to repeat in a log line; anything else is not a prefix.
    private static final Pattern PREFIX = Pattern.compile("\\{([A-Za-z0-9._-]{1,32})}");
    private static final Pattern CRYPT_ID = Pattern.compile("\\$([a-z0-9]{1,16})\\$");

    static StoredHash parse(String stored) {
        if (stored == null) {
            return new StoredHash("(no hash)", Optional.empty(), "");
        }
        Matcher prefix = PREFIX.matcher(stored);
        if (!prefix.lookingAt()) {
            return bare(stored, "(no scheme)");
        }
        String name = prefix.group(1).toUpperCase(Locale.ROOT);
        String body = stored.substring(prefix.end());
        return switch (name) {
            // Dovecot's CRYPT is whatever crypt(3) makes of the string: dispatch on its $id$.
            case "CRYPT" -> bare(body, "{CRYPT}");
            case "CLEAR" -> new StoredHash("{CLEAR}", Optional.of(Scheme.PLAIN), body);
            default -> new StoredHash("{" + name + "}", Scheme.byDovecotName(name), body);
        };
    }

    private static StoredHash bare(String stored, String labelWithoutId) {
        Matcher id = CRYPT_ID.matcher(stored);
        if (!id.lookingAt()) {
            return new StoredHash(labelWithoutId, Optional.empty(), stored);
        }
        Optional<Scheme> scheme = switch (id.group(1)) {
            case "argon2id" -> Optional.of(Scheme.ARGON2ID);
            case "argon2i" -> Optional.of(Scheme.ARGON2I);
            case "6" -> Optional.of(Scheme.SHA512_CRYPT);
            case "5" -> Optional.of(Scheme.SHA256_CRYPT);
            case "2a", "2b", "2y" -> Optional.of(Scheme.BLF_CRYPT);
            default -> Optional.empty();
        };
        return new StoredHash(id.group(), scheme, stored);
    }
}
