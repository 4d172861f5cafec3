package org.posthorn.pop3.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive access to a maildrop (RFC 1939 §4: the server acquires an exclusive-access lock
 * on the maildrop when the session enters the TRANSACTION state), one per account, held by a
 * POP3 session until it ends. A session releases its lock in its {@code closed()} callback,
 * which the network layer calls exactly once however the connection ends (QUIT, a dropped
 * connection, idle timeout, server shutdown), so a vanished client never keeps a maildrop
 * locked. IMAP sessions do not take this lock.
 *
 * <p>Also remembers the last login per account, for RFC 2449 LOGIN-DELAY. Locks live in this
 * JVM only. Thread-safe.
 */
final class MaildropLocks {

    /** Why a lock was not granted. */
    enum Refusal { IN_USE, LOGIN_DELAY }

    private final Clock clock;
    private final Map<String, Lock> held = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastLogin = new ConcurrentHashMap<>();

    MaildropLocks() {
        this(Clock.systemUTC());
    }

    MaildropLocks(Clock clock) {
        this.clock = clock;
    }

    /** A held lock; {@link #release()} is idempotent. */
    final class Lock {
        private final String account;

        private Lock(String account) {
            this.account = account;
        }

        void release() {
            held.remove(account, this);
        }
    }

    /**
     * The outcome of {@link #acquire}: a lock, or why not.
     *
     * @param lock    the lock, or null
     * @param refusal why there is none, or null
     */
    record Attempt(Lock lock, Refusal refusal) {
    }

    /**
     * Locks {@code account}'s maildrop for a session that just authenticated.
     *
     * @param loginDelay the minimum time between two logins of one account, or null for none
     */
    Attempt acquire(String account, Duration loginDelay) {
        Instant now = clock.instant();
        Lock lock = new Lock(account);
        if (held.putIfAbsent(account, lock) != null) {
            return new Attempt(null, Refusal.IN_USE);
        }
        Instant last = lastLogin.get(account);
        if (loginDelay != null && last != null && now.isBefore(last.plus(loginDelay))) {
            lock.release();
            return new Attempt(null, Refusal.LOGIN_DELAY);
        }
        lastLogin.put(account, now);
        return new Attempt(lock, null);
    }

    /** True if a session holds {@code account}'s maildrop. */
    boolean isLocked(String account) {
        return held.containsKey(account);
    }
}
