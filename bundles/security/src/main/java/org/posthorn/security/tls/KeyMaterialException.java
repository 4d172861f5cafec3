package org.posthorn.security.tls;

/**
 * Key material that cannot be loaded or used. The message names the file and what is wrong
 * with it in words an admin can act on, and never contains key bytes or passwords.
 */
final class KeyMaterialException extends Exception {

    KeyMaterialException(String message) {
        super(message);
    }

    KeyMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
