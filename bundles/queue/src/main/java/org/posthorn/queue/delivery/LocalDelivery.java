package org.posthorn.queue.delivery;

import static org.posthorn.queue.index.DeliveryResult.local;

import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;

import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.StoreException;
import org.posthorn.queue.index.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a copy of a message to a local account's mailbox through the {@link MailboxStore}
 * service, and turns the store's answer into an {@link Outcome}: a full mailbox or a store that
 * is away defers, an unknown account fails.
 */
public final class LocalDelivery {

    public static final String INBOX = "INBOX";
    private static final Logger LOG = LoggerFactory.getLogger(LocalDelivery.class);

    private final Supplier<MailboxStore> stores;

    /** @param stores the store service while it is there, else null */
    public LocalDelivery(Supplier<MailboxStore> stores) {
        this.stores = stores;
    }

    /**
     * @param mailbox      a filter's choice, or null for INBOX; created if missing, INBOX if it cannot be
     * @param internalDate the IMAP internal date (the message's arrival)
     */
    public Outcome deliver(String account, String mailbox, MessageSource message, Instant internalDate) {
        return deliver(account, mailbox, Set.of(), message, internalDate);
    }

    /**
     * As {@link #deliver(String, String, MessageSource, Instant)}, with the initial flags a filter
     * chose (Sieve imap4flags). Flags the store refuses are dropped rather than failing the delivery.
     */
    public Outcome deliver(String account, String mailbox, Set<String> flags, MessageSource message,
                           Instant internalDate) {
        MailboxStore store = stores.get();
        if (store == null) {
            return Outcome.deferred(ErrorKind.UNAVAILABLE, local("4.3.0", "the mailbox store is not running"));
        }
        String target = mailbox == null || mailbox.isBlank() ? INBOX : mailbox;
        try {
            return append(store, account, target, flags, message, internalDate);
        } catch (StoreException e) {
            return outcome(account, e);
        } catch (RuntimeException e) {
            // A store bundle stopping under us throws whatever it throws; if it is gone now, that was the cause.
            ErrorKind kind = stores.get() == store ? ErrorKind.TEMPORARY : ErrorKind.UNAVAILABLE;
            LOG.warn("Delivery to {} failed in the mailbox store: {}", account, e.toString(), e);
            return Outcome.deferred(kind, local("4.3.0", "mailbox store error: " + e));
        }
    }

    private static Outcome append(MailboxStore store, String account, String mailbox, Set<String> flags,
                                  MessageSource message, Instant internalDate) throws StoreException {
        try {
            store.append(account, mailbox, message, flags, internalDate);
            return Outcome.delivered(local("2.0.0", "delivered to " + account + " mailbox " + mailbox));
        } catch (StoreException e) {
            if (!flags.isEmpty() && e.reason() == StoreException.Reason.NOT_ALLOWED) {
                // a flag the store does not take (e.g. \Recent) must not cost the message
                LOG.info("Flags {} refused for {} ({}); delivering without them", flags, account, e.getMessage());
                return append(store, account, mailbox, Set.of(), message, internalDate);
            }
            if (mailbox.equalsIgnoreCase(INBOX)
                    || (e.reason() != StoreException.Reason.NO_SUCH_MAILBOX && e.reason() != StoreException.Reason.INVALID_NAME)) {
                throw e;
            }
        }
        // FilteredMessage#fileInto promises that a missing mailbox is created; one that cannot be
        // (an invalid name) is replaced by INBOX rather than losing or bouncing the message.
        try {
            store.create(account, mailbox, Set.of());
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.ALREADY_EXISTS) {
                LOG.info("Cannot create mailbox {} of {} ({}); delivering to INBOX", mailbox, account, e.getMessage());
                return append(store, account, INBOX, flags, message, internalDate);
            }
        }
        return append(store, account, mailbox, flags, message, internalDate);
    }

    private static Outcome outcome(String account, StoreException e) {
        return switch (e.reason()) {
            case QUOTA_EXCEEDED -> Outcome.deferred(ErrorKind.QUOTA, local("4.2.2", "mailbox full: " + e.getMessage()));
            case UNAVAILABLE -> Outcome.deferred(ErrorKind.UNAVAILABLE, local("4.3.0", "mailbox store unavailable: " + e.getMessage()));
            case NO_SUCH_ACCOUNT -> Outcome.failed(local("5.1.1", "no such account: " + account));
            case NOT_ALLOWED -> Outcome.failed(local("5.2.1", "mailbox disabled: " + e.getMessage()));
            default -> Outcome.deferred(ErrorKind.TEMPORARY, local("4.3.0", "mailbox store error: " + e.getMessage()));
        };
    }
}
