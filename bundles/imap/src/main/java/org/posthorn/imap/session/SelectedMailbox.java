package org.posthorn.imap.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.posthorn.api.store.MailboxChanges;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.protocol.CommandReader;
import org.posthorn.imap.protocol.ResponseWriter;

/**
 * The selected mailbox of one session and what its client has been told about it. Changes
 * by anyone (this session included) reach the client only at {@link #sync}, which reads from
 * the store what changed since the MODSEQ the client is in step with: expunged UIDs
 * ({@code vanishedSince}) and new or changed messages ({@code changedSince}). Mailbox events
 * only say that it is worth looking. Two watermarks are kept because EXPUNGE responses may be
 * held back (RFC 9051 §7.5.1) while flag changes and new messages are not.
 *
 * <p>Used on the connection's thread, except the volatile fields the event thread sets.
 */
final class SelectedMailbox {

    final long id;
    final long uidValidity;
    final boolean readOnly;
    /** IMAP4rev1 clients hear of \Recent; IMAP4rev2 has no such flag. */
    final boolean reportsRecent;
    final MessageIndex index;
    /** The mailbox's current name (it follows renames). */
    volatile String name;
    /** Set when the mailbox was deleted: the session must end. */
    volatile boolean deleted;

    private UidSet recent;
    private long flagsModSeq;
    private long expungeModSeq;
    private boolean dirty;
    /** MODSEQs of this session's own flag changes, already reported in its STORE/FETCH responses. */
    private final Set<Long> ownModSeqs = new HashSet<>();
    private final Set<String> keywords = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    SelectedMailbox(MailboxSnapshot snapshot, boolean readOnly, boolean reportsRecent) {
        this.id = snapshot.info().id();
        this.uidValidity = snapshot.status().uidValidity();
        this.readOnly = readOnly;
        this.reportsRecent = reportsRecent;
        this.name = snapshot.info().name();
        this.index = new MessageIndex(snapshot.uids());
        this.recent = readOnly ? unclaimedRecent(snapshot) : snapshot.recent();
        this.flagsModSeq = snapshot.status().highestModSeq();
        this.expungeModSeq = flagsModSeq;
        this.keywords.addAll(snapshot.keywords());
    }

    /**
     * EXAMINE claims nothing, yet reports the messages no read-write SELECT has claimed as recent
     * (RFC 3501 §6.3.2): the newest {@code status.recent()} ones, as the store counts them.
     */
    private static UidSet unclaimedRecent(MailboxSnapshot snapshot) {
        int count = (int) snapshot.status().recent();
        if (count == 0) {
            return UidSet.EMPTY;
        }
        long[] uids = snapshot.uids().toArray();
        return UidSet.ofSorted(Arrays.copyOfRange(uids, uids.length - count, uids.length), count);
    }

    /** The MODSEQ the client is in step with. */
    long highestModSeq() {
        return Math.min(flagsModSeq, expungeModSeq);
    }

    UidSet recent() {
        return recent;
    }

    int recentCount() {
        return (int) index.within(recent).size();
    }

    /** Something this session did changed the mailbox: look at the next chance. */
    void markDirty() {
        dirty = true;
    }

    /**
     * A flag change this session made and reported itself. When nothing else happened since the
     * client was last brought up to date, that is now the state, without asking the store.
     */
    void ownChange(long modSeq) {
        if (modSeq == flagsModSeq + 1 && expungeModSeq == flagsModSeq) {
            flagsModSeq = modSeq;
            expungeModSeq = modSeq;
        } else {
            ownModSeqs.add(modSeq);
        }
    }

    /** True if the store may hold changes the client has not been told. */
    boolean needsSync(long latestEvent, boolean expungesAllowed) {
        return dirty || latestEvent > flagsModSeq || (expungesAllowed && latestEvent > expungeModSeq);
    }

    /** Remembers keywords; true if any was new. */
    boolean learnKeywords(Set<String> flags) {
        boolean learned = false;
        for (String flag : flags) {
            if (!flag.startsWith("\\") && keywords.add(flag)) {
                learned = true;
            }
        }
        return learned;
    }

    /**
     * Announces FLAGS again if the message has a keyword the client has not been told of: a
     * FETCH response may only name flags of the last FLAGS response (RFC 3501 §7.2.6), and
     * another session may have set a new one since. Call before the FETCH response begins.
     */
    void announceKeywordsOf(MessageMeta meta, ResponseWriter out) throws IOException {
        if (learnKeywords(meta.flags())) {
            announceFlags(out);
        }
    }

    /** {@code * FLAGS} and {@code * OK [PERMANENTFLAGS]}: at SELECT, and again when a new keyword appears. */
    void announceFlags(ResponseWriter out) throws IOException {
        List<String> all = new ArrayList<>(CommandReader.Flags.SYSTEM);
        all.addAll(keywords);
        out.raw("* FLAGS ").flags(all).endLine();
        if (readOnly) {
            out.untagged("OK [PERMANENTFLAGS ()] Read-only mailbox");
        } else {
            all.add("\\*");
            out.raw("* OK [PERMANENTFLAGS ").flags(all).raw("] Flags permitted").endLine();
        }
    }

    /** A message's flags as FETCH reports them, in a stable order, with {@code \Recent} where it applies. */
    List<String> flags(MessageMeta meta) {
        List<String> flags = new ArrayList<>();
        for (String system : CommandReader.Flags.SYSTEM) {
            if (meta.flags().contains(system)) {
                flags.add(system);
            }
        }
        meta.flags().stream().filter(f -> !f.startsWith("\\")).sorted().forEach(flags::add);
        if (reportsRecent && recent.contains(meta.uid())) {
            flags.add("\\Recent");
        }
        return flags;
    }

    /**
     * Tells the client what changed: EXPUNGE (or VANISHED with QRESYNC) if
     * {@code expungesAllowed}, EXISTS and RECENT for new messages, FETCH for flags changed by
     * others.
     */
    void sync(MailboxStore store, String account, ImapSession session, boolean expungesAllowed)
            throws StoreException, IOException {
        ResponseWriter out = session.out();
        String mailbox = name;
        // one store transaction for the whole check (it runs after most commands)
        MailboxChanges changes = store.changes(account, mailbox, expungesAllowed ? expungeModSeq : -1, flagsModSeq,
                reportsRecent && !readOnly);
        long high = changes.highestModSeq();
        if (!changes.recent().isEmpty()) {
            List<UidSet.Range> ranges = new ArrayList<>(recent.ranges());
            ranges.addAll(changes.recent().ranges());
            recent = UidSet.of(ranges);
        }
        if (expungesAllowed) {
            UidSet gone = index.within(changes.vanished());
            if (!gone.isEmpty()) {
                int[] msns = index.removeAll(gone);
                if (session.qresync()) {
                    out.untagged("VANISHED " + gone);
                } else {
                    for (int i = msns.length - 1; i >= 0; i--) {
                        out.untagged(msns[i] + " EXPUNGE");
                    }
                }
            }
            expungeModSeq = Math.max(expungeModSeq, high);
        }
        long lastKnown = index.lastUid();
        boolean added = false;
        boolean newKeywords = false;
        List<MessageMeta> flagChanges = new ArrayList<>();
        long newFlagsModSeq = Math.max(flagsModSeq, high);
        for (MessageMeta meta : changes.changed()) {
            newKeywords |= learnKeywords(meta.flags());
            newFlagsModSeq = Math.max(newFlagsModSeq, meta.modSeq());
            if (meta.uid() > lastKnown) {
                index.add(meta.uid());
                added = true;
            } else if (index.msn(meta.uid()) > 0 && !ownModSeqs.contains(meta.modSeq())) {
                flagChanges.add(meta);
            }
        }
        if (newKeywords) {
            announceFlags(out);
        }
        if (added) {
            out.untagged(index.count() + " EXISTS");
            if (reportsRecent) {
                out.untagged(recentCount() + " RECENT");
            }
        }
        for (MessageMeta meta : flagChanges) {
            session.writeFlags(index.msn(meta.uid()), meta, session.qresync());
        }
        flagsModSeq = newFlagsModSeq;
        ownModSeqs.removeIf(m -> m <= flagsModSeq);
        dirty = false;
    }
}
