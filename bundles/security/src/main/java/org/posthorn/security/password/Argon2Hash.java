package org.posthorn.security.password;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * An Argon2 hash in the PHC string format that libargon2, libsodium and Dovecot write:
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, salt and hash in standard base64
 * without padding.
 */
final class Argon2Hash {

    static final int VERSION_13 = Argon2Parameters.ARGON2_VERSION_13;
    static final int HASH_LENGTH = 32;

    // Bounds for hashes read from storage: a corrupt or hostile entry must not make one
    // login allocate gigabytes or run for minutes. Far above any sensible configuration.
    private static final int MAX_MEMORY_KIB = 1 << 20;
    private static final int MAX_ITERATIONS = 100;
    private static final int MAX_PARALLELISM = 255;
    // RFC 9106 §3.1: salt at least 8 bytes, tag at least 4 bytes.
    private static final int MIN_SALT_LENGTH = 8;
    private static final int MIN_HASH_LENGTH = 4;
    private static final int MAX_HASH_LENGTH = 1024;

    // Hashes computed at once, one per core: each holds its memory (19 MiB with the defaults)
    // and keeps a core busy, so more at a time would only add heap (20 concurrent logins:
    // 380 MiB) without hashing any faster. Fair, so a login waits its turn.
    static final Semaphore RUNNING = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);

    private final Argon2Type type;
    private final int version;
    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final byte[] salt;
    private final byte[] hash;

    private Argon2Hash(Argon2Type type, int version, int memoryKib, int iterations, int parallelism,
                       byte[] salt, byte[] hash) {
        this.type = type;
        this.version = version;
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code password} (UTF-8 bytes) with Argon2 version 1.3 and these parameters. */
    static Argon2Hash create(Argon2Type type, Argon2Cost cost, byte[] salt, byte[] password) {
        byte[] hash = derive(type, VERSION_13, cost.memoryKib(), cost.iterations(), cost.parallelism(),
                salt, password, HASH_LENGTH);
        return new Argon2Hash(type, VERSION_13, cost.memoryKib(), cost.iterations(), cost.parallelism(),
                salt.clone(), hash);
    }

    /** Reads a PHC string that starts with {@code $argon2id$} or {@code $argon2i$}. */
    static Argon2Hash parse(String phc) throws MalformedHashException {
        String[] fields = phc.split("\\$", -1);
        // "", type, [v=..], params, salt, hash
        if ((fields.length != 5 && fields.length != 6) || !fields[0].isEmpty()) {
            throw new MalformedHashException("not a PHC string");
        }
        Argon2Type type = Argon2Type.fromPhcName(fields[1]);
        int next = 2;
        // The reference implementation writes v= since 1.3 and reads its absence as 1.0.
        int version = Argon2Parameters.ARGON2_VERSION_10;
        if (fields.length == 6) {
            version = parseVersion(fields[next++]);
        }
        Map<String, Integer> params = parseParams(fields[next++]);
        byte[] salt = decode(fields[next++], "salt");
        byte[] hash = decode(fields[next], "hash");
        int memoryKib = params.get("m");
        int iterations = params.get("t");
        int parallelism = params.get("p");
        if (parallelism < 1 || parallelism > MAX_PARALLELISM
                || iterations < 1 || iterations > MAX_ITERATIONS
                || memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
            throw new MalformedHashException("parameters out of range");
        }
        if (salt.length < MIN_SALT_LENGTH || hash.length < MIN_HASH_LENGTH || hash.length > MAX_HASH_LENGTH) {
            throw new MalformedHashException("salt or hash length out of range");
        }
        return new Argon2Hash(type, version, memoryKib, iterations, parallelism, salt, hash);
    }

    private static int parseVersion(String field) throws MalformedHashException {
        if (field.equals("v=19")) {
            return VERSION_13;
        }
        if (field.equals("v=16")) {
            return Argon2Parameters.ARGON2_VERSION_10;
        }
        throw new MalformedHashException("unknown version");
    }

    private static Map<String, Integer> parseParams(String field) throws MalformedHashException {
        Map<String, Integer> params = new HashMap<>();
        for (String param : field.split(",", -1)) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            if (eq < 0 || !(name.equals("m") || name.equals("t") || name.equals("p"))) {
                throw new MalformedHashException("unknown parameter");
            }
            try {
                if (params.put(name, Integer.parseInt(param.substring(eq + 1))) != null) {
                    throw new MalformedHashException("repeated parameter");
                }
            } catch (NumberFormatException e) {
                throw new MalformedHashException("parameter is not a number");
            }
        }
        if (params.size() != 3) {
            throw new MalformedHashException("missing parameter");
        }
        return params;
    }

    private static byte[] decode(String base64, String what) throws MalformedHashException {
        try {
            // Java's decoder accepts the unpadded form PHC prescribes.
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new MalformedHashException(what + " is not base64");
        }
    }

    private static byte[] derive(Argon2Type type, int version, int memoryKib, int iterations, int parallelism,
                                 byte[] salt, byte[] password, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(type.bcType())
                .withVersion(version)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        byte[] out = new byte[length];
        RUNNING.acquireUninterruptibly();
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            generator.generateBytes(password, out);
        } finally {
            RUNNING.release();
        }
        return out;
    }

    Argon2Type type() {
        return type;
    }

    /** True if {@code password} (UTF-8 bytes) hashes to this, compared in constant time. */
    boolean matches(byte[] password) {
        byte[] candidate = derive(type, version, memoryKib, iterations, parallelism, salt, password, hash.length);
        return MessageDigest.isEqual(candidate, hash);
    }

    /** True if this was made by {@link #create} with {@code cost} and {@code type}. */
    boolean isCurrent(Argon2Type preferredType, Argon2Cost cost) {
        return type == preferredType && version == VERSION_13 && hash.length == HASH_LENGTH
                && memoryKib == cost.memoryKib() && iterations == cost.iterations()
                && parallelism == cost.parallelism();
    }

    /** The PHC string. */
    String phc() {
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return "$" + type.phcName() + "$v=" + version + "$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }
}
