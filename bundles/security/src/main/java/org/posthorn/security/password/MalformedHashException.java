package org.posthorn.security.password;

/**
 * A stored hash that names a known scheme but cannot be read. The message says what is
 * wrong in general terms and never quotes the hash, so it is safe to log.
 */
final class MalformedHashException extends Exception {

    MalformedHashException(String reason) {
        super(reason);
    }
}
