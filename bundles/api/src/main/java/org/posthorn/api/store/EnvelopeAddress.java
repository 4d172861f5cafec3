package org.posthorn.api.store;

/**
 * One address of an ENVELOPE address list in IMAP's form (RFC 9051 §7.5.2): display name
 * (raw, possibly RFC 2047 encoded), source route, local part and domain. A group
 * {@code name: a, b;} appears as a start marker {@code (null, null, "name", null)}, its
 * members, and an end marker with all four fields null.
 *
 * @param name    the display name without quotes, or null
 * @param route   the obsolete source route ({@code @a,@b}) or null
 * @param mailbox the local part (unquoted), or the group name of a start marker, or null
 * @param host    the domain, or null for group markers
 */
public record EnvelopeAddress(String name, String route, String mailbox, String host) {

    /** True for the start marker of a group. */
    public boolean isGroupStart() {
        return host == null && mailbox != null;
    }

    /** True for the end marker of a group. */
    public boolean isGroupEnd() {
        return host == null && mailbox == null;
    }
}
