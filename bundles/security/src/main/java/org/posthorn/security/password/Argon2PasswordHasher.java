package org.posthorn.security.password;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.user.PasswordHasher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hashes new passwords with Argon2id and verifies the schemes a Dovecot passwd-file may hold:
 * {@code ARGON2ID}, {@code ARGON2I}, {@code SHA512-CRYPT}, {@code SHA256-CRYPT},
 * {@code BLF-CRYPT}, {@code SSHA512}, {@code PLAIN}/{@code CLEAR}, and {@code CRYPT} with one
 * of those crypt strings. Everything that is not Argon2id with the configured cost
 * {@linkplain #needsRehash needs a rehash}. A password that matched is remembered for a while
 * ({@link VerifiedLogins}), so the same password against the same stored hash is then
 * confirmed without hashing again; a password that does not match always pays the full cost.
 */
@Component(service = PasswordHasher.class, configurationPid = "org.posthorn.password",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = Argon2PasswordHasher.Config.class)
public final class Argon2PasswordHasher implements PasswordHasher {

    /**
     * The defaults are OWASP's Argon2id recommendation (19 MiB, 2 passes, 1 lane): 50-100 ms
     * per hash with Bouncy Castle on a 2-core machine. Bouncy Castle computes lanes one after
     * the other, so more parallelism costs time without adding strength over more memory.
     */
    @ObjectClassDefinition(name = "Posthorn password hashing",
            description = "Argon2id cost for new password hashes. Hashes made with other costs still verify"
                    + " and are reported as needing a rehash. Passwords that matched are remembered as keyed"
                    + " digests for a while, so repeated logins skip the hashing.")
    public @interface Config {

        @AttributeDefinition(name = "Argon2 memory (KiB)", min = "8")
        int argon2_memory_kib() default 19456;

        @AttributeDefinition(name = "Argon2 iterations", min = "1")
        int argon2_iterations() default 2;

        @AttributeDefinition(name = "Argon2 parallelism", min = "1")
        int argon2_parallelism() default 1;

        @AttributeDefinition(name = "Login cache time to live (seconds)", min = "0",
                description = "How long a password that matched its stored hash is remembered, from the check"
                        + " that matched; a login within it skips the hashing. 0: no cache, every login"
                        + " hashes. Changing the password or deleting the account ends it at once.")
        long login_cache_ttl_seconds() default 3600;

        @AttributeDefinition(name = "Login cache size", min = "0",
                description = "At most this many remembered logins (about 300 bytes each); the one used longest"
                        + " ago goes first. 0: no cache.")
        int login_cache_size() default 10000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Argon2PasswordHasher.class);
    private static final int SALT_LENGTH = 16;

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanoTime;
    private volatile Argon2Cost cost;
    private volatile VerifiedLogins verified;

    @Activate
    public Argon2PasswordHasher(Config config) {
        this(config, System::nanoTime);
    }

    Argon2PasswordHasher(Config config, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        modified(config);
    }

    /** New settings; the logins remembered so far are forgotten. */
    @Modified
    void modified(Config config) {
        cost = costOf(config);
        verified = new VerifiedLogins(config.login_cache_ttl_seconds(), config.login_cache_size(), nanoTime);
    }

    private static Argon2Cost costOf(Config config) {
        return new Argon2Cost(config.argon2_memory_kib(), config.argon2_iterations(), config.argon2_parallelism());
    }

    @Override
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        byte[] bytes = PasswordBytes.utf8(password);
        try {
            return "{" + Scheme.ARGON2ID.dovecotName() + "}"
                    + Argon2Hash.create(Argon2Type.ARGON2ID, cost, salt, bytes).phc();
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public boolean verify(char[] password, String storedHash) {
        StoredHash stored = StoredHash.parse(storedHash);
        Optional<Scheme> scheme = stored.scheme();
        if (scheme.isEmpty()) {
            LOG.warn("Password scheme {} is not supported; the password does not match", stored.label());
            return false;
        }
        if (scheme.get() == Scheme.PLAIN) {
            LOG.warn("Password stored in clear text (scheme {}); set a new password to store it as Argon2id",
                    stored.label());
        }
        byte[] bytes = PasswordBytes.utf8(password);
        try {
            // a clear-text hash is the password itself: kept in no cache
            VerifiedLogins cache = scheme.get() == Scheme.PLAIN ? null : verified;
            if (cache != null && cache.contains(storedHash, bytes)) {
                return true;
            }
            boolean matches = scheme.get().matches(bytes, stored.body());
            if (matches && cache != null) {
                cache.add(storedHash, bytes);
            }
            return matches;
        } catch (MalformedHashException e) {
            LOG.warn("Malformed {} password hash ({}); the password does not match", stored.label(), e.getMessage());
            return false;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public boolean needsRehash(String storedHash) {
        StoredHash stored = StoredHash.parse(storedHash);
        if (stored.scheme().filter(scheme -> scheme == Scheme.ARGON2ID).isEmpty()) {
            return true;
        }
        try {
            return !Argon2Hash.parse(stored.body()).isCurrent(Argon2Type.ARGON2ID, cost);
        } catch (MalformedHashException e) {
            return true;
        }
    }
}
