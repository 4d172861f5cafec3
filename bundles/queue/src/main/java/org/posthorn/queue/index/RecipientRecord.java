package org.posthorn.queue.index;

import java.time.Instant;
import java.util.Set;

import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.RecipientState;

/**
 * One recipient row of a queue entry, with its delivery state. Mutable: it belongs to the one
 * dispatcher thread holding the entry's lease, which changes it and saves it through
 * {@link QueueIndex}.
 */
public final class RecipientRecord {

    private final int number;
    private final Integer parent;
    private final int hops;
    private final Recipient recipient;
    private final String account;
    private String mailbox;
    private Set<String> flags = Set.of();
    private RecipientState state;
    private int attempts;
    private Instant nextAttempt;
    private Instant lastAttempt;
    private DeliveryResult result;
    private ErrorKind errorKind;
    private boolean viaRemote;
    private boolean notifyPending;
    private boolean delayReported;

    /** A new, pending recipient row. */
    public RecipientRecord(int number, Integer parent, int hops, Recipient recipient, String account, String mailbox,
                           Instant due) {
        this.number = number;
        this.parent = parent;
        this.hops = hops;
        this.recipient = recipient;
        this.account = account;
        this.mailbox = mailbox;
        this.state = RecipientState.PENDING;
        this.nextAttempt = due;
    }

    RecipientRecord(int number, Integer parent, int hops, Recipient recipient, String account, String mailbox,
                    RecipientState state, int attempts, Instant nextAttempt, Instant lastAttempt, DeliveryResult result,
                    ErrorKind errorKind, boolean viaRemote, boolean notifyPending, boolean delayReported) {
        this(number, parent, hops, recipient, account, mailbox, nextAttempt);
        this.state = state;
        this.attempts = attempts;
        this.lastAttempt = lastAttempt;
        this.result = result;
        this.errorKind = errorKind;
        this.viaRemote = viaRemote;
        this.notifyPending = notifyPending;
        this.delayReported = delayReported;
    }

    /** The row number within the entry. */
    public int number() {
        return number;
    }

    /** The number of the row this one was expanded from, or null for an envelope recipient. */
    public Integer parent() {
        return parent;
    }

    /** How many alias or forward expansions led here (0 for an envelope recipient). */
    public int hops() {
        return hops;
    }

    public Recipient recipient() {
        return recipient;
    }

    /** The local account to deliver into, or null if the address is not resolved to one. */
    public String account() {
        return account;
    }

    /** The mailbox a filter chose, or null for INBOX. */
    public String mailbox() {
        return mailbox;
    }

    /** The flags a filter chose for the local copy; empty for none. */
    public Set<String> flags() {
        return flags;
    }

    /** Sets the flags of the local copy (before the row is inserted, or when loading it). */
    public RecipientRecord withFlags(Set<String> initialFlags) {
        this.flags = Set.copyOf(initialFlags);
        return this;
    }

    public RecipientState state() {
        return state;
    }

    public int attempts() {
        return attempts;
    }

    public Instant nextAttempt() {
        return nextAttempt;
    }

    public Instant lastAttempt() {
        return lastAttempt;
    }

    /** What the last attempt said, or null before the first one. */
    public DeliveryResult result() {
        return result;
    }

    public ErrorKind errorKind() {
        return errorKind;
    }

    /** True if a remote server accepted it (a DSN says "relayed", not "delivered"). */
    public boolean viaRemote() {
        return viaRemote;
    }

    /** True if the sender is owed a DSN about this recipient that is not queued yet. */
    public boolean notifyPending() {
        return notifyPending;
    }

    public boolean delayReported() {
        return delayReported;
    }

    /** Pending or deferred: there is still something to do. */
    public boolean isOpen() {
        return state == RecipientState.PENDING || state == RecipientState.DEFERRED;
    }

    /** Open and its time has come. */
    public boolean isDue(Instant now) {
        return isOpen() && !nextAttempt.isAfter(now);
    }

    /** RFC 3461 §4.1: without NOTIFY, failures and delays are reported, success is not. */
    public boolean wants(DsnNotify event) {
        Set<DsnNotify> notify = recipient.notifyOn();
        if (notify.isEmpty()) {
            return event == DsnNotify.FAILURE || event == DsnNotify.DELAY;
        }
        return notify.contains(event);
    }

    public void fileInto(String mailboxName) {
        this.mailbox = mailboxName;
    }

    public void delivered(Instant now, DeliveryResult outcome, boolean remote, boolean notify) {
        attempted(now, outcome);
        state = RecipientState.DELIVERED;
        viaRemote = remote;
        errorKind = null;
        notifyPending = notify;
    }

    /**
     * Deferred until {@code next}. A wait because Posthorn itself was unavailable does not count
     * as an attempt, so it does not push the recipient further along the retry schedule.
     */
    public void deferred(Instant now, DeliveryResult outcome, ErrorKind kind, Instant next) {
        if (kind == ErrorKind.UNAVAILABLE) {
            lastAttempt = now;
            result = outcome;
        } else {
            attempted(now, outcome);
        }
        state = RecipientState.DEFERRED;
        errorKind = kind;
        nextAttempt = next;
    }

    /** Moves the next attempt of an open recipient. */
    public void retryAt(Instant next) {
        nextAttempt = next;
    }

    /** Fails the recipient without counting an attempt (used when a deferred one expires or is cancelled). */
    public void failed(Instant now, DeliveryResult outcome, boolean notify) {
        lastAttempt = lastAttempt == null ? now : lastAttempt;
        result = outcome;
        state = RecipientState.FAILED;
        notifyPending = notify;
    }

    /** Fails the recipient after an attempt. */
    public void failedAttempt(Instant now, DeliveryResult outcome, boolean notify) {
        attempted(now, outcome);
        state = RecipientState.FAILED;
        notifyPending = notify;
    }

    public void expanded(Instant now) {
        lastAttempt = now;
        state = RecipientState.EXPANDED;
    }

    public void reported() {
        notifyPending = false;
    }

    public void delayReported(boolean reported) {
        delayReported = reported;
    }

    private void attempted(Instant now, DeliveryResult outcome) {
        attempts++;
        lastAttempt = now;
        result = outcome;
    }
}
