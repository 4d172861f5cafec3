package org.posthorn.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;
import org.posthorn.api.mail.MessageSource;

/**
 * Users' mailboxes and messages. Everything is addressed by account name, mailbox name and
 * UID; message sequence numbers are a session's business. Mailbox names use {@code /} as
 * the hierarchy delimiter; {@code INBOX} is case-insensitive and always exists.
 *
 * <p>Thread-safe: many sessions and deliveries work on one mailbox at once. Each mutating
 * call is one transaction and, when it commits, is reported to every
 * {@link MailboxListener} service. A {@link StoreException} with {@code temporary} set means
 * the database is unavailable and the caller should answer "try again later".
 */
@ProviderType
public interface MailboxStore {

    /** All mailboxes of {@code account}, with their attributes. */
    List<MailboxInfo> mailboxes(String account) throws StoreException;

    /** The mailbox's current counters. */
    MailboxStatus status(String account, String mailbox) throws StoreException;

    /** Creates a mailbox (and any missing parents). */
    MailboxInfo create(String account, String mailbox, Set<SpecialUse> specialUse) throws StoreException;

    /** Deletes a mailbox and its messages. INBOX cannot be deleted. */
    void delete(String account, String mailbox) throws StoreException;

    /** Renames a mailbox with its children. Renaming INBOX moves its messages (RFC 9051 §6.3.6). */
    void rename(String account, String from, String to) throws StoreException;

    /** Subscribes or unsubscribes a name (which need not exist, RFC 9051 §6.3.7). */
    void subscribe(String account, String mailbox, boolean subscribed) throws StoreException;

    /** The subscribed names. */
    List<String> subscriptions(String account) throws StoreException;

    /**
     * Stores a new message in one transaction: it is either wholly there or not at all.
     * The message is parsed once here; the raw bytes are kept unchanged.
     *
     * @param flags        initial flags (system flags with backslash, keywords without)
     * @param internalDate the IMAP internal date; {@code null} means now
     * @throws StoreException with {@link StoreException.Reason#QUOTA_EXCEEDED} if it would exceed quota
     */
    AppendResult append(String account, String mailbox, MessageSource message, Set<String> flags,
                        Instant internalDate) throws StoreException;

    /** Metadata of the messages whose UIDs are in {@code uids}, in UID order. */
    List<MessageMeta> messages(String account, String mailbox, UidSet uids) throws StoreException;

    /** Metadata of messages changed after {@code modSeq} (CONDSTORE/QRESYNC), in UID order. */
    List<MessageMeta> changedSince(String account, String mailbox, long modSeq) throws StoreException;

    /** UIDs expunged after {@code modSeq} (QRESYNC VANISHED). */
    UidSet vanishedSince(String account, String mailbox, long modSeq) throws StoreException;

    /** The raw message and its parsed structure. */
    StoredMessage message(String account, String mailbox, long uid) throws StoreException;

    /**
     * Changes flags of the given messages.
     *
     * @param unchangedSince CONDSTORE UNCHANGEDSINCE, or {@code -1} for none; messages whose
     *                       MODSEQ is higher are left alone and reported in the result
     */
    FlagUpdate updateFlags(String account, String mailbox, UidSet uids, FlagUpdate.Mode mode,
                           Set<String> flags, long unchangedSince) throws StoreException;

    /** Removes the given messages permanently; returns the UIDs actually removed. */
    UidSet expunge(String account, String mailbox, UidSet uids) throws StoreException;

    /** Copies messages; the result maps source to new UIDs (UIDPLUS COPYUID). */
    CopyResult copy(String account, String from, UidSet uids, String to) throws StoreException;

    /** Moves messages atomically; the result maps source to new UIDs (MOVE + COPYUID). */
    CopyResult move(String account, String from, UidSet uids, String to) throws StoreException;

    /** UIDs of the messages matching {@code query}, ascending. */
    UidSet search(String account, String mailbox, SearchQuery query) throws StoreException;
}
