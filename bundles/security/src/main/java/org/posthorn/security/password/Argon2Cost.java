package org.posthorn.security.password;

/** The Argon2 cost parameters new hashes are made with. */
record Argon2Cost(int memoryKib, int iterations, int parallelism) {

    Argon2Cost {
        if (parallelism < 1 || iterations < 1 || memoryKib < 8 * parallelism) {
            throw new IllegalArgumentException("Argon2 needs parallelism >= 1, iterations >= 1 and memory >= 8 KiB"
                    + " per lane; got m=" + memoryKib + ", t=" + iterations + ", p=" + parallelism);
        }
    }
}
