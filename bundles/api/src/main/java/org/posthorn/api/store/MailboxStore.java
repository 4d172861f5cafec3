package org.posthorn.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;
import org.posthorn.api.mail.MessageSource;

/**
 * Users' mailboxes and messages. Everything is addressed by account name (canonical
 * {@code local@domain}), mailbox name and UID; message sequence numbers are a session's
 * business (see {@link #select}). Mailbox names use {@code /} as the hierarchy delimiter, are
 * case-sensitive Unicode (the IMAP layer converts modified UTF-7) and must not be empty,
 * start or end with {@code /}, contain {@code //}, {@code *}, {@code %} or control characters;
 * {@code INBOX} is case-insensitive (also as the first level of a longer name) and always exists.
 *
 * <p>Thread-safe: many sessions and deliveries work on one mailbox at once. Each mutating
 * call is atomic (concurrent deliveries into one mailbox may share a transaction, each with
 * its own UID and MODSEQ) and, when it commits, is reported to every
 * {@link MailboxListener} service. Every call that changes messages of a mailbox (append,
 * flags, expunge, copy/move into or out of it) raises its HIGHESTMODSEQ by exactly one; a
 * call that changes nothing raises nothing. A {@link StoreException} with
 * {@link StoreException#isTemporary()} means the database is unavailable and the caller
 * should answer "try again later".
 */
@ProviderType
public interface MailboxStore {

    /** All mailboxes of {@code account}, with their attributes, ordered by name. */
    List<MailboxInfo> mailboxes(String account) throws StoreException;

    /** One mailbox. */
    MailboxInfo mailbox(String account, String mailbox) throws StoreException;

    /**
     * A mailbox by its identity ({@link MailboxInfo#id()}, also in every {@link MailboxEvent}),
     * whatever it is called now; {@code NO_SUCH_MAILBOX} if it was deleted or belongs to
     * another account.
     */
    MailboxInfo mailboxById(String account, long mailboxId) throws StoreException;

    /** The mailbox's current counters (STATUS). */
    MailboxStatus status(String account, String mailbox) throws StoreException;

    /**
     * A consistent snapshot for SELECT ({@code readOnly == false}) or EXAMINE. A read-write
     * select claims the messages that arrived since the last read-write select: they are
     * {@code \Recent} for this caller only (RFC 3501 §2.3.2).
     */
    MailboxSnapshot select(String account, String mailbox, boolean readOnly) throws StoreException;

    /**
     * Claims, for a session that has the mailbox selected read-write, the messages that arrived
     * since the last claim (its {@code \Recent} messages after an {@link MailboxEvent.Kind#ADDED}).
     */
    UidSet claimRecent(String account, String mailbox) throws StoreException;

    /**
     * Creates a mailbox and any missing parents (parents without special use).
     *
     * @throws StoreException {@code ALREADY_EXISTS}, {@code INVALID_NAME}
     */
    MailboxInfo create(String account, String mailbox, Set<SpecialUse> specialUse) throws StoreException;

    /**
     * Deletes a mailbox and its messages. INBOX cannot be deleted, nor a mailbox that has
     * children ({@code NOT_ALLOWED}; RFC 9051 §6.3.4 allows refusing).
     */
    void delete(String account, String mailbox) throws StoreException;

    /**
     * Renames a mailbox with its children, keeping UIDVALIDITY and UIDs; missing parents of
     * the new name are created. Renaming INBOX moves its messages into a new mailbox and leaves
     * INBOX empty (RFC 9051 §6.3.6). Subscriptions are not changed.
     */
    void rename(String account, String from, String to) throws StoreException;

    /** Subscribes or unsubscribes a name (which need not exist, RFC 9051 §6.3.7). */
    void subscribe(String account, String mailbox, boolean subscribed) throws StoreException;

    /** The subscribed names, ordered. */
    List<String> subscriptions(String account) throws StoreException;

    /** The account's quota and usage (RFC 9208). */
    QuotaUsage quota(String account) throws StoreException;

    /**
     * Stores a new message in one transaction: it is either wholly there or not at all.
     * The message is parsed once here; the raw bytes are kept unchanged. The source is read
     * twice (parse, then store) and need not stay readable after the call returns.
     *
     * @param flags        initial flags (system flags with backslash, keywords without;
     *                     {@code \Recent} is ignored)
     * @param internalDate the IMAP internal date; {@code null} means now
     * @throws StoreException with {@link StoreException.Reason#QUOTA_EXCEEDED} if it would
     *                        exceed the byte or message quota of the account
     */
    AppendResult append(String account, String mailbox, MessageSource message, Set<String> flags,
                        Instant internalDate) throws StoreException;

    /**
     * Stores several messages in one mailbox in one transaction (IMAP MULTIAPPEND, RFC 3502):
     * all of them or, if any cannot be stored, none. They get consecutive UIDs in the order
     * given and one MODSEQ. Each message is parsed as by {@link #append}.
     *
     * <p>The default stores a single message with {@link #append} and refuses more with
     * {@code NOT_ALLOWED}; stores that can keep the promise override it.
     *
     * @return one result per message, in order
     * @throws StoreException as {@link #append}; {@code QUOTA_EXCEEDED} if they do not fit together
     */
    default List<AppendResult> appendAll(String account, String mailbox, List<NewMessage> messages)
            throws StoreException {
        if (messages.size() != 1) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "several messages in one append are not supported");
        }
        NewMessage only = messages.get(0);
        return List.of(append(account, mailbox, only.message(), only.flags(), only.internalDate()));
    }

    /**
     * Delivers one message to several recipients in one transaction: the message is parsed
     * once, stored once (all copies share the raw bytes) and committed with one log flush.
     * Recipients that cannot take it (no such account or mailbox, over quota, bad flags) are
     * reported in their {@link Delivery.Outcome} and do not stop the others; if none can take
     * it, nothing is stored. After a crash the message is in all delivered mailboxes or none.
     *
     * @param internalDate the IMAP internal date; {@code null} means now
     * @return one outcome per recipient, in order
     * @throws StoreException only {@code UNAVAILABLE}: nothing was delivered, try again later
     */
    List<Delivery.Outcome> deliver(List<Delivery> recipients, MessageSource message, Instant internalDate)
            throws StoreException;

    /**
     * Metadata of the messages whose UIDs are in {@code uids}, in UID order; UIDs that do not
     * exist are skipped. Reads only the narrow message index (FETCH FLAGS, POP3 LIST/UIDL).
     */
    List<MessageMeta> messages(String account, String mailbox, UidSet uids) throws StoreException;

    /**
     * Metadata, envelope and structure of the messages in {@code uids}, in UID order,
     * in one query (FETCH ENVELOPE/BODYSTRUCTURE/BODY[...] over many messages).
     */
    List<StoredMessage> fetch(String account, String mailbox, UidSet uids) throws StoreException;

    /** The raw message and its parsed structure; {@code NO_SUCH_MESSAGE} if it does not exist. */
    StoredMessage message(String account, String mailbox, long uid) throws StoreException;

    /** Metadata of messages whose MODSEQ is greater than {@code modSeq} (CONDSTORE/QRESYNC), in UID order. */
    List<MessageMeta> changedSince(String account, String mailbox, long modSeq) throws StoreException;

    /**
     * UIDs expunged with a MODSEQ greater than {@code modSeq} (QRESYNC VANISHED). Expunged
     * UIDs are kept as long as the mailbox exists.
     */
    UidSet vanishedSince(String account, String mailbox, long modSeq) throws StoreException;

    /**
     * Changes flags of the given messages. Only messages whose flags really change get the
     * new MODSEQ and appear in {@link FlagUpdate#changed()}.
     *
     * @param unchangedSince CONDSTORE UNCHANGEDSINCE, or {@code -1} for none; messages whose
     *                       MODSEQ is higher are left alone and reported in the result
     */
    FlagUpdate updateFlags(String account, String mailbox, UidSet uids, FlagUpdate.Mode mode,
                           Set<String> flags, long unchangedSince) throws StoreException;

    /**
     * Removes permanently the messages in {@code uids} that carry {@code \Deleted} at the moment
     * of the call (EXPUNGE with {@link UidSet#ALL}, UID EXPUNGE with a set; POP3 uses {@link #remove}
     * instead). Returns the UIDs actually removed.
     */
    UidSet expunge(String account, String mailbox, UidSet uids) throws StoreException;

    /**
     * Removes permanently the messages in {@code uids}, whatever their flags (POP3's UPDATE
     * state, RFC 1939 §6): one change, one MODSEQ. UIDs that no longer exist are skipped.
     * Returns the UIDs actually removed.
     *
     * <p>The default sets {@code \Deleted} and expunges (two changes); stores override it.
     */
    default UidSet remove(String account, String mailbox, UidSet uids) throws StoreException {
        updateFlags(account, mailbox, uids, FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        return expunge(account, mailbox, uids);
    }

    /**
     * The update check of a session that has the mailbox selected: its HIGHESTMODSEQ, the UIDs
     * expunged since {@code vanishedSince} ({@code -1}: not asked), the messages added or changed
     * since {@code changedSince} and, with {@code claimRecent}, the {@code \Recent} messages
     * claimed as {@link #claimRecent} does. Stores answer it in one transaction.
     *
     * <p>The default makes the separate calls.
     */
    default MailboxChanges changes(String account, String mailbox, long vanishedSince, long changedSince,
                                   boolean claimRecent) throws StoreException {
        long high = status(account, mailbox).highestModSeq();
        UidSet vanished = vanishedSince < 0 ? UidSet.EMPTY : vanishedSince(account, mailbox, vanishedSince);
        List<MessageMeta> changed = changedSince(account, mailbox, changedSince);
        UidSet recent = claimRecent ? claimRecent(account, mailbox) : UidSet.EMPTY;
        return new MailboxChanges(high, vanished, changed, recent);
    }

    /**
     * Copies messages, keeping flags and internal dates; the result maps source to new UIDs
     * (UIDPLUS COPYUID). UIDs that do not exist are skipped. Counts against quota.
     */
    CopyResult copy(String account, String from, UidSet uids, String to) throws StoreException;

    /** Moves messages atomically; the result maps source to new UIDs (MOVE + COPYUID). */
    CopyResult move(String account, String from, UidSet uids, String to) throws StoreException;

    /** UIDs of the messages matching {@code query}, ascending. */
    UidSet search(String account, String mailbox, SearchQuery query) throws StoreException;
}
