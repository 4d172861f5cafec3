package org.posthorn.imap.session;

import org.posthorn.api.store.StoreException;
import org.posthorn.imap.protocol.ImapException;

/** Store failures as IMAP responses with RFC 5530 codes. */
final class StoreErrors {

    private StoreErrors() {
    }

    static ImapException of(StoreException e) {
        return switch (e.reason()) {
            case NO_SUCH_MAILBOX -> ImapException.no("NONEXISTENT", "Mailbox does not exist");
            case NO_SUCH_ACCOUNT -> ImapException.no("UNAVAILABLE", "Account is not available");
            case NO_SUCH_MESSAGE -> ImapException.no("EXPUNGEISSUED", "Message was expunged");
            case ALREADY_EXISTS -> ImapException.no("ALREADYEXISTS", "Mailbox already exists");
            case NOT_ALLOWED -> ImapException.no("CANNOT", "Not allowed: " + e.getMessage());
            case QUOTA_EXCEEDED -> ImapException.no("OVERQUOTA", "Quota exceeded");
            case INVALID_NAME -> ImapException.no("CANNOT", "Invalid mailbox name: " + e.getMessage());
            case UNAVAILABLE -> unavailable();
        };
    }

    /** {@code NO [TRYCREATE]} for a missing target mailbox (APPEND, COPY, MOVE; RFC 9051 §7.1). */
    static ImapException ofTarget(StoreException e) {
        return e.reason() == StoreException.Reason.NO_SUCH_MAILBOX
                ? ImapException.no("TRYCREATE", "Mailbox does not exist") : of(e);
    }

    static ImapException unavailable() {
        return ImapException.no("UNAVAILABLE", "Mailbox store is not available, try again later");
    }
}
