package org.posthorn.security.tls;

/**
 * The bytes of a PEM file as read at one moment, with where they came from (for messages).
 *
 * @param origin  a file name or other description an admin recognises
 * @param content the PEM text, US-ASCII
 */
record PemText(String origin, byte[] content) {
}
