package org.posthorn.security.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * SHA-256-crypt ({@code $5$}) and SHA-512-crypt ({@code $6$}) as specified by Ulrich Drepper,
 * "Unix crypt using SHA-256 and SHA-512" (https://www.akkadia.org/drepper/SHA-crypt.txt),
 * the algorithm behind glibc/libxcrypt {@code crypt(3)}, {@code openssl passwd -5/-6} and
 * Dovecot's {@code SHA256-CRYPT}/{@code SHA512-CRYPT}. Numbered steps refer to that text.
 */
enum ShaCrypt {
    SHA256("$5$", "SHA-256", new int[] {
        0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14,
        15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29,
        31, 30}),
    SHA512("$6$", "SHA-512", new int[] {
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4,
        47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51,
        31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35,
        15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19,
        62, 20, 41, 63});

    private static final String ROUNDS_PREFIX = "rounds=";
    private static final int DEFAULT_ROUNDS = 5000;
    private static final int MIN_ROUNDS = 1000;
    private static final int MAX_ROUNDS = 999_999_999;
    private static final int MAX_SALT_BYTES = 16;
    private static final char[] CRYPT_BASE64 =
            "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private final String prefix;
    private final String digestName;
    /** Step 22: the order in which digest bytes are encoded, three at a time, then the rest. */
    private final int[] encodingOrder;

    ShaCrypt(String prefix, String digestName, int[] encodingOrder) {
        this.prefix = prefix;
        this.digestName = digestName;
        this.encodingOrder = encodingOrder;
    }

    String prefix() {
        return prefix;
    }

    /**
     * True if {@code password} (UTF-8 bytes) matches {@code stored}, a full crypt string such
     * as {@code $6$rounds=10000$salt$hash}; the hash part is compared in constant time.
     */
    boolean matches(byte[] password, String stored) throws MalformedHashException {
        if (!stored.startsWith(prefix)) {
            throw new MalformedHashException("wrong crypt prefix");
        }
        String rest = stored.substring(prefix.length());
        int rounds = DEFAULT_ROUNDS;
        if (rest.startsWith(ROUNDS_PREFIX)) {
            int end = rest.indexOf('$');
            if (end < 0) {
                throw new MalformedHashException("no salt after rounds");
            }
            rounds = parseRounds(rest.substring(ROUNDS_PREFIX.length(), end));
            rest = rest.substring(end + 1);
        }
        int saltEnd = rest.indexOf('$');
        if (saltEnd < 0) {
            throw new MalformedHashException("no hash after salt");
        }
        byte[] salt = rest.substring(0, saltEnd).getBytes(StandardCharsets.UTF_8);
        // Step 2/spec: only the first 16 salt bytes count; longer salts are cut, not rejected.
        salt = Arrays.copyOf(salt, Math.min(salt.length, MAX_SALT_BYTES));
        byte[] expected = rest.substring(saltEnd + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] actual = encode(digest(password, salt, rounds)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(actual, expected);
    }

    private static int parseRounds(String digits) throws MalformedHashException {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedHashException("rounds is not a number");
        }
        // The specification clamps an out-of-range rounds value instead of rejecting it.
        long rounds = Long.parseLong(digits);
        return (int) Math.max(MIN_ROUNDS, Math.min(MAX_ROUNDS, rounds));
    }

    private byte[] digest(byte[] key, byte[] salt, int rounds) {
        MessageDigest md = newDigest();
        int length = md.getDigestLength();

        // Steps 4-8: digest B = H(key salt key).
        md.update(key);
        md.update(salt);
        md.update(key);
        byte[] b = md.digest();

        // Steps 1-3, 9-12: digest A.
        md.update(key);
        md.update(salt);
        for (int left = key.length; left > 0; left -= length) {
            md.update(b, 0, Math.min(left, length));
        }
        for (int bits = key.length; bits > 0; bits >>= 1) {
            if ((bits & 1) != 0) {
                md.update(b);
            } else {
                md.update(key);
            }
        }
        byte[] a = md.digest();

        // Steps 13-16: byte sequence P from digest DP = H(key repeated key.length times).
        for (int i = 0; i < key.length; i++) {
            md.update(key);
        }
        byte[] p = repeat(md.digest(), key.length);

        // Steps 17-20: byte sequence S from digest DS = H(salt repeated 16 + A[0] times).
        for (int i = 0; i < 16 + (a[0] & 0xff); i++) {
            md.update(salt);
        }
        byte[] s = repeat(md.digest(), salt.length);

        // Step 21: the rounds.
        byte[] c = a;
        for (int round = 0; round < rounds; round++) {
            boolean odd = (round & 1) != 0;
            md.update(odd ? p : c);
            if (round % 3 != 0) {
                md.update(s);
            }
            if (round % 7 != 0) {
                md.update(p);
            }
            md.update(odd ? c : p);
            c = md.digest();
        }
        Arrays.fill(p, (byte) 0);
        return c;
    }

    private MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(digestName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has " + digestName, e);
        }
    }

    private static byte[] repeat(byte[] digest, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i += digest.length) {
            System.arraycopy(digest, 0, out, i, Math.min(digest.length, length - i));
        }
        return out;
    }

    /** Step 22: groups of three bytes become four characters, least significant six bits first. */
    private String encode(byte[] digest) {
        StringBuilder out = new StringBuilder(digest.length * 4 / 3 + 1);
        int whole = encodingOrder.length / 3 * 3;
        for (int i = 0; i < whole; i += 3) {
            int group = (digest[encodingOrder[i]] & 0xff) << 16
                    | (digest[encodingOrder[i + 1]] & 0xff) << 8
                    | digest[encodingOrder[i + 2]] & 0xff;
            appendCryptBase64(out, group, 4);
        }
        int group = 0;
        for (int i = whole; i < encodingOrder.length; i++) {
            group = group << 8 | digest[encodingOrder[i]] & 0xff;
        }
        appendCryptBase64(out, group, encodingOrder.length - whole + 1);
        return out.toString();
    }

    private static void appendCryptBase64(StringBuilder out, int group, int characters) {
        for (int i = 0; i < characters; i++) {
            out.append(CRYPT_BASE64[group & 0x3f]);
            group >>>= 6;
        }
    }
}
