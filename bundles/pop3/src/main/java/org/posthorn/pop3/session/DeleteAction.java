package org.posthorn.pop3.session;

/** What happens at QUIT to the messages a client marked with DELE. */
public enum DeleteAction {
    /** They are expunged from INBOX (RFC 1939). */
    EXPUNGE,
    /** They are moved to the account's Trash mailbox (SPECIAL-USE {@code \Trash}), created if missing. */
    TRASH
}
