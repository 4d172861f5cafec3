package org.posthorn.security.password;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Passwords that matched a stored hash lately, so a client that logs in again and again (IMAP
 * clients do, every few minutes, per folder) does not pay for Argon2 each time: Dovecot's
 * {@code auth_cache}, positive results only.
 *
 * <p>An entry maps a stored hash to an HMAC-SHA256 of that hash and the password under a key
 * drawn at random when this cache is made, never written anywhere; memory holds neither the
 * password nor anything that can be checked against a guess without that key. Keyed by the
 * stored hash, an entry stops matching when the password is changed (a new hash with a new
 * salt) or the account is deleted. An entry lives {@code ttlNanos} from the verification that
 * made it (a hit does not extend it); beyond {@code maxEntries} the one used longest ago goes.
 * Thread-safe.
 */
final class VerifiedLogins {

    private static final String MAC = "HmacSHA256";

    private record Entry(byte[] digest, long verifiedAt) {
    }

    private final SecretKeySpec key;
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    // guarded by itself; iteration order = least recently used first
    private final Map<String, Entry> entries;

    VerifiedLogins(long ttlSeconds, int maxEntries, LongSupplier nanoTime) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, MAC);
        Arrays.fill(secret, (byte) 0);
        this.ttlNanos = TimeUnit.SECONDS.toNanos(Math.max(0, ttlSeconds));
        this.maxEntries = Math.max(0, maxEntries);
        this.nanoTime = nanoTime;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > VerifiedLogins.this.maxEntries;
            }
        };
    }

    boolean enabled() {
        return ttlNanos > 0 && maxEntries > 0;
    }

    /** True if {@code password} was verified against {@code storedHash} within the time to live. */
    boolean contains(String storedHash, byte[] password) {
        if (!enabled()) {
            return false;
        }
        Entry entry;
        synchronized (entries) {
            entry = entries.get(storedHash);
            if (entry != null && nanoTime.getAsLong() - entry.verifiedAt() >= ttlNanos) {
                entries.remove(storedHash);
                entry = null;
            }
        }
        return entry != null && MessageDigest.isEqual(entry.digest(), digest(storedHash, password));
    }

    /** Remembers that {@code password} matched {@code storedHash} just now. */
    void add(String storedHash, byte[] password) {
        if (!enabled()) {
            return;
        }
        Entry entry = new Entry(digest(storedHash, password), nanoTime.getAsLong());
        synchronized (entries) {
            entries.put(storedHash, entry);
        }
    }

    // The hash is part of the message, so two accounts with one password have different digests.
    private byte[] digest(String storedHash, byte[] password) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            mac.update(storedHash.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
