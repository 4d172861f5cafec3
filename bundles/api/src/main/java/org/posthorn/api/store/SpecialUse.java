package org.posthorn.api.store;

/** SPECIAL-USE mailbox attributes (RFC 6154). */
public enum SpecialUse {
    ALL, ARCHIVE, DRAFTS, FLAGGED, JUNK, SENT, TRASH;

    /** The IMAP attribute, e.g. {@code \Sent}. */
    public String attribute() {
        return "\\" + name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
