package org.posthorn.queue.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.CopyResult;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.QuotaUsage;
import org.posthorn.api.store.MailboxStatus;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;

/**
 * A mailbox store that keeps appended messages in a list. Accounts listed in {@link #full} are
 * over quota; accounts not in {@link #accounts} do not exist. INBOX always exists, other
 * mailboxes once created.
 */
public final class FakeMailboxStore implements MailboxStore {

    /** One appended message. */
    public record Appended(String account, String mailbox, byte[] bytes, Instant internalDate, Set<String> flags) {
        public String text() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    public final List<Appended> appended = new CopyOnWriteArrayList<>();
    public final Set<String> accounts = ConcurrentHashMap.newKeySet();
    public final Set<String> full = ConcurrentHashMap.newKeySet();
    private final Set<String> mailboxes = ConcurrentHashMap.newKeySet();
    private final AtomicLong uids = new AtomicLong();

    public FakeMailboxStore(String... accountNames) {
        accounts.addAll(List.of(accountNames));
    }

    public List<Appended> of(String account) {
        return appended.stream().filter(a -> a.account().equals(account)).toList();
    }

    @Override
    public AppendResult append(String account, String mailbox, MessageSource message, Set<String> flags,
                               Instant internalDate) throws StoreException {
        if (!accounts.contains(account)) {
            throw new StoreException(StoreException.Reason.NO_SUCH_ACCOUNT, account);
        }
        if (!mailbox.equalsIgnoreCase("INBOX") && !mailboxes.contains(account + "/" + mailbox)) {
            throw new StoreException(StoreException.Reason.NO_SUCH_MAILBOX, mailbox);
        }
        if (full.contains(account)) {
            throw new StoreException(StoreException.Reason.QUOTA_EXCEEDED, "quota of " + account + " exceeded");
        }
        byte[] bytes;
        try (InputStream in = message.openStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length != message.size()) {
            throw new IllegalStateException("size() says " + message.size() + " but the stream gave " + bytes.length);
        }
        appended.add(new Appended(account, mailbox, bytes, internalDate, Set.copyOf(flags)));
        return new AppendResult(1, uids.incrementAndGet(), 1);
    }

    @Override
    public MailboxInfo create(String account, String mailbox, Set<SpecialUse> specialUse) throws StoreException {
        if (!mailboxes.add(account + "/" + mailbox)) {
            throw new StoreException(StoreException.Reason.ALREADY_EXISTS, mailbox);
        }
        return new MailboxInfo(1, mailbox, specialUse, false, false, 1);
    }

    @Override
    public List<MailboxInfo> mailboxes(String account) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MailboxInfo mailbox(String account, String mailbox) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MailboxInfo mailboxById(String account, long mailboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MailboxSnapshot select(String account, String mailbox, boolean readOnly) {
        throw new UnsupportedOperationException();
    }

    @Override
    public UidSet claimRecent(String account, String mailbox) {
        throw new UnsupportedOperationException();
    }

    @Override
    public QuotaUsage quota(String account) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Delivery.Outcome> deliver(List<Delivery> recipients, MessageSource message, Instant internalDate) {
        throw new UnsupportedOperationException("the queue delivers one local copy at a time with append");
    }

    @Override
    public List<StoredMessage> fetch(String account, String mailbox, UidSet uids) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MailboxStatus status(String account, String mailbox) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String account, String mailbox) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void rename(String account, String from, String to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void subscribe(String account, String mailbox, boolean subscribed) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> subscriptions(String account) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<MessageMeta> messages(String account, String mailbox, UidSet uids) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<MessageMeta> changedSince(String account, String mailbox, long modSeq) {
        throw new UnsupportedOperationException();
    }

    @Override
    public UidSet vanishedSince(String account, String mailbox, long modSeq) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StoredMessage message(String account, String mailbox, long uid) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FlagUpdate updateFlags(String account, String mailbox, UidSet uids, FlagUpdate.Mode mode, Set<String> flags,
                                  long unchangedSince) {
        throw new UnsupportedOperationException();
    }

    @Override
    public UidSet expunge(String account, String mailbox, UidSet uids) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CopyResult copy(String account, String from, UidSet uids, String to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CopyResult move(String account, String from, UidSet uids, String to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public UidSet search(String account, String mailbox, SearchQuery query) {
        throw new UnsupportedOperationException();
    }
}
