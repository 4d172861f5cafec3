package org.posthorn.queue.spool;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Makes queue ids: 16 characters of Crockford base32, the first 9 the arrival time in
 * milliseconds (so ids sort roughly by age), the last 7 random (35 bits), so nodes sharing one
 * database never need to coordinate. Usable as file names everywhere.
 */
public final class QueueIds {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final int TIME_CHARS = 9;
    private static final int RANDOM_CHARS = 7;

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public QueueIds(Clock clock) {
        this.clock = clock;
    }

    public String next() {
        char[] id = new char[TIME_CHARS + RANDOM_CHARS];
        long time = clock.millis();
        for (int i = TIME_CHARS - 1; i >= 0; i--) {
            id[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        long bits = random.nextLong();
        for (int i = TIME_CHARS; i < id.length; i++) {
            id[i] = ALPHABET[(int) (bits & 31)];
            bits >>>= 5;
        }
        return new String(id);
    }
}
