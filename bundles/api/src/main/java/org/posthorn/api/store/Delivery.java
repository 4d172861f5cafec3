package org.posthorn.api.store;

import java.util.Set;

/**
 * One recipient of {@link MailboxStore#deliver}: where a copy goes and with which flags.
 *
 * @param account the account (canonical name)
 * @param mailbox the mailbox, usually {@code INBOX}
 * @param flags   initial flags, as for {@link MailboxStore#append}
 */
public record Delivery(String account, String mailbox, Set<String> flags) {

    public Delivery {
        flags = Set.copyOf(flags);
    }

    /** A delivery into the account's INBOX without flags. */
    public static Delivery inbox(String account) {
        return new Delivery(account, "INBOX", Set.of());
    }

    /**
     * The outcome for one recipient: either {@code result} or {@code failure} is set.
     *
     * @param delivery the recipient
     * @param result   where the message went, or null
     * @param failure  why it did not ({@code NO_SUCH_ACCOUNT}, {@code NO_SUCH_MAILBOX},
     *                 {@code QUOTA_EXCEEDED}, {@code NOT_ALLOWED} for bad flags), or null
     */
    public record Outcome(Delivery delivery, AppendResult result, StoreException failure) {

        public boolean delivered() {
            return result != null;
        }
    }
}
