package org.posthorn.imap.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.posthorn.api.store.CopyResult;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.protocol.Command;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.ResponseWriter;
import org.posthorn.imap.search.SearchParser;

/**
 * SELECT and EXAMINE (with CONDSTORE and QRESYNC, RFC 7162), and the commands on the selected
 * mailbox except FETCH: CLOSE, UNSELECT, CHECK, EXPUNGE, UID EXPUNGE, STORE, COPY, MOVE, SEARCH.
 */
final class SelectedCommands {

    private final ImapSession session;

    SelectedCommands(ImapSession session) {
        this.session = session;
    }

    /** Runs the command, or returns null if it is not one of these. */
    Completion execute(Command command) throws ImapException, StoreException, IOException {
        if (command instanceof Command.Select select) {
            return select(select);
        }
        if (command instanceof Command.Close) {
            SelectedMailbox mailbox = session.selected();
            if (!mailbox.readOnly) {
                // RFC 9051 §6.4.1: expunge silently
                session.store().expunge(session.account(), mailbox.name, UidSet.ALL);
            }
            session.select(null);
            return Completion.ok("CLOSE completed");
        }
        if (command instanceof Command.Unselect) {
            session.select(null);
            return Completion.ok("UNSELECT completed");
        }
        if (command instanceof Command.Check) {
            session.selected().markDirty();
            return Completion.ok("CHECK completed");
        }
        if (command instanceof Command.Expunge expunge) {
            return expunge(expunge);
        }
        if (command instanceof Command.Store store) {
            return store(store);
        }
        if (command instanceof Command.Transfer transfer) {
            return transfer(transfer);
        }
        if (command instanceof Command.Search search) {
            return search(search);
        }
        return null;
    }

    // ---- SELECT / EXAMINE

    private Completion select(Command.Select select) throws ImapException, StoreException, IOException {
        ResponseWriter out = session.out();
        if (select.qresync() != null && !session.qresync()) {
            throw ImapException.bad("QRESYNC parameter given but QRESYNC is not enabled");
        }
        if (session.selected() != null) {
            session.select(null);
            // RFC 7162 §3.2.11: the end of the previous selection is announced
            out.untagged("OK [CLOSED] Previous mailbox closed");
        }
        if (select.condstore()) {
            session.enableCondstore();
        }
        boolean rev2 = session.rev2();
        // an IMAP4rev2 session claims no \Recent messages: it could not report them
        MailboxSnapshot snapshot = session.store().select(session.account(), select.mailbox(),
                select.readOnly() || rev2);
        SelectedMailbox mailbox = new SelectedMailbox(snapshot, select.readOnly(), !rev2);
        mailbox.announceFlags(out);
        out.untagged(snapshot.status().messages() + " EXISTS");
        if (rev2) {
            // RFC 9051 §6.3.2: the mailbox's name as the server spells it
            out.raw("* LIST () \"/\" ").mailbox(snapshot.info().name()).endLine();
        } else {
            out.untagged(mailbox.recentCount() + " RECENT");
            if (snapshot.firstUnseen() != 0) {
                out.untagged("OK [UNSEEN " + mailbox.index.msn(snapshot.firstUnseen()) + "] First unseen message");
            }
        }
        out.untagged("OK [UIDVALIDITY " + snapshot.status().uidValidity() + "] UIDs valid");
        out.untagged("OK [UIDNEXT " + snapshot.status().uidNext() + "] Predicted next UID");
        out.untagged("OK [HIGHESTMODSEQ " + snapshot.status().highestModSeq() + "] Highest");
        session.select(mailbox);
        if (select.qresync() != null && select.qresync().uidValidity() == mailbox.uidValidity) {
            resynchronize(mailbox, select.qresync(), snapshot.status().uidNext());
        }
        return Completion.ok(mailbox.readOnly ? "READ-ONLY" : "READ-WRITE",
                (select.readOnly() ? "EXAMINE" : "SELECT") + " completed");
    }

    /**
     * RFC 7162 §3.2.5.2: what the client missed since its MODSEQ: VANISHED (EARLIER) for
     * messages expunged before this selection, FETCH for those changed.
     */
    private void resynchronize(SelectedMailbox mailbox, Command.Qresync qresync, long uidNext)
            throws ImapException, StoreException, IOException {
        MailboxStore store = session.store();
        String account = session.account();
        UidSet vanished = store.vanishedSince(account, mailbox.name, qresync.modSeq());
        if (qresync.knownUids() != null) {
            vanished = UidRanges.intersect(vanished, UidSet.of(qresync.knownUids().resolved(Math.max(1, uidNext - 1)).stream()
                    .map(r -> new UidSet.Range(r.first(), r.last())).toList()));
        }
        vanished = UidRanges.minus(vanished, mailbox.index.within(vanished));
        if (!vanished.isEmpty()) {
            session.out().untagged("VANISHED (EARLIER) " + vanished);
        }
        for (MessageMeta meta : store.changedSince(account, mailbox.name, qresync.modSeq())) {
            int msn = mailbox.index.msn(meta.uid());
            if (msn > 0 && meta.modSeq() <= mailbox.highestModSeq()) {
                session.writeFlags(msn, meta, true);
            }
        }
    }

    // ---- EXPUNGE

    private Completion expunge(Command.Expunge expunge) throws ImapException, StoreException {
        SelectedMailbox mailbox = session.selected();
        if (mailbox.readOnly) {
            throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        }
        UidSet uids = expunge.uids() == null ? UidSet.ALL : session.resolve(expunge.uids(), true);
        if (!uids.isEmpty()) {
            session.store().expunge(session.account(), mailbox.name, uids);
            mailbox.markDirty();
        }
        return Completion.ok("EXPUNGE completed");
    }

    // ---- STORE

    private Completion store(Command.Store store) throws ImapException, StoreException, IOException {
        SelectedMailbox mailbox = session.selected();
        if (mailbox.readOnly) {
            throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        }
        if (store.unchangedSince() >= 0) {
            session.enableCondstore();
        }
        UidSet uids = session.resolve(store.set(), store.uid());
        if (uids.isEmpty()) {
            return Completion.ok("STORE completed");
        }
        FlagUpdate update = session.store().updateFlags(session.account(), mailbox.name, uids, store.mode(),
                store.flags(), store.unchangedSince());
        if (!update.changed().isEmpty()) {
            mailbox.ownChange(update.changed().get(0).modSeq());
            if (mailbox.learnKeywords(store.flags())) {
                mailbox.announceFlags(session.out());
            }
        }
        if (!store.silent()) {
            // every message named gets its flags, changed or already as asked (RFC 9051 §6.4.6)
            List<MessageMeta> all = new ArrayList<>(update.changed());
            UidSet unchanged = UidRanges.minus(UidRanges.minus(uids, idsOf(update.changed())), update.modified());
            if (!unchanged.isEmpty()) {
                all.addAll(session.store().messages(session.account(), mailbox.name, unchanged));
            }
            all.sort((a, b) -> Long.compare(a.uid(), b.uid()));
            for (MessageMeta meta : all) {
                session.writeFlags(mailbox.index.msn(meta.uid()), meta, store.uid() || session.qresync());
            }
        } else if (session.condstore()) {
            // RFC 7162 §3.1.3: with .SILENT the new MODSEQ is still reported
            for (MessageMeta meta : update.changed()) {
                session.out().raw("* " + mailbox.index.msn(meta.uid()) + " FETCH (" + (store.uid() ? "UID "
                        + meta.uid() + " " : "") + "MODSEQ (" + meta.modSeq() + "))").endLine();
            }
        }
        if (!update.modified().isEmpty()) {
            String set = store.uid() ? update.modified().toString() : msnsOf(mailbox, update.modified()).toString();
            return Completion.ok("MODIFIED " + set, "Conditional STORE failed for some messages");
        }
        return Completion.ok("STORE completed");
    }

    private static UidSet idsOf(List<MessageMeta> metas) {
        return UidSet.of(metas.stream().map(m -> new UidSet.Range(m.uid(), m.uid())).toList());
    }

    /** The message sequence numbers of known UIDs, in sequence-set form. */
    private static UidSet msnsOf(SelectedMailbox mailbox, UidSet uids) {
        List<UidSet.Range> msns = new ArrayList<>();
        for (UidSet.Range r : mailbox.index.within(uids).ranges()) {
            for (long uid = r.first(); uid <= r.last(); uid++) {
                int msn = mailbox.index.msn(uid);
                if (msn > 0) {
                    msns.add(new UidSet.Range(msn, msn));
                }
            }
        }
        return UidSet.of(msns);
    }

    // ---- COPY / MOVE

    private Completion transfer(Command.Transfer transfer) throws ImapException, StoreException, IOException {
        SelectedMailbox mailbox = session.selected();
        String verb = transfer.move() ? "MOVE" : "COPY";
        if (transfer.move() && mailbox.readOnly) {
            throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        }
        UidSet uids = session.resolve(transfer.set(), transfer.uid());
        if (uids.isEmpty()) {
            return Completion.ok(verb + " completed: no messages");
        }
        MailboxStore store = session.store();
        CopyResult result;
        try {
            result = transfer.move() ? store.move(session.account(), mailbox.name, uids, transfer.mailbox())
                    : store.copy(session.account(), mailbox.name, uids, transfer.mailbox());
        } catch (StoreException e) {
            throw StoreErrors.ofTarget(e);
        }
        String copyUid = result.sourceUids().isEmpty() ? null : "COPYUID " + result.targetUidValidity() + " "
                + orderedSet(result.sourceUids()) + " " + orderedSet(result.targetUids());
        if (transfer.move() || result.targetUidValidity() == mailbox.uidValidity) {
            mailbox.markDirty();
        }
        if (transfer.move()) {
            // RFC 6851 §4.3: COPYUID comes in an untagged OK before the EXPUNGEs
            if (copyUid != null) {
                session.out().untagged("OK [" + copyUid + "] Moved");
            }
            return Completion.ok("MOVE completed");
        }
        return Completion.ok(copyUid, "COPY completed");
    }

    /** UIDs as a set in the order given (RFC 4315 COPYUID pairs the two sets element by element). */
    private static String orderedSet(List<Long> uids) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < uids.size()) {
            int j = i;
            while (j + 1 < uids.size() && uids.get(j + 1) == uids.get(j) + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(uids.get(i));
            if (j > i) {
                sb.append(':').append(uids.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }

    // ---- SEARCH

    private Completion search(Command.Search search) throws ImapException, StoreException, IOException {
        SelectedMailbox mailbox = session.selected();
        boolean modSeq = SearchParser.usesModSeq(search.query());
        if (modSeq) {
            session.enableCondstore();
        }
        Set<String> options = search.returnOptions();
        if (options == null && session.rev2()) {
            // RFC 9051 §7.3.4: IMAP4rev2 answers SEARCH with ESEARCH
            options = Set.of();
        }
        boolean save = options != null && options.contains("SAVE");
        if (save) {
            // RFC 5182 §2.1: a SEARCH that fails leaves $ empty
            session.saveSearch(UidSet.EMPTY);
        }
        MailboxStore store = session.store();
        UidSet found = mailbox.index.within(store.search(session.account(), mailbox.name, search.query()));
        if (save) {
            session.saveSearch(saved(found, options));
        }
        long highest = 0;
        if (modSeq && !found.isEmpty()) {
            // RFC 7162 §3.1.5: the highest MODSEQ of the messages returned, only MIN's and MAX's if only they are
            UidSet returned = options == null ? found : saved(found, options);
            for (MessageMeta meta : store.messages(session.account(), mailbox.name, returned)) {
                highest = Math.max(highest, meta.modSeq());
            }
        }
        UidSet numbers = search.uid() ? found : msnsOf(mailbox, found);
        ResponseWriter out = session.out();
        if (options == null) {
            out.raw("* SEARCH");
            for (UidSet.Range r : numbers.ranges()) {
                for (long n = r.first(); n <= r.last(); n++) {
                    out.raw(" " + n);
                }
            }
            if (highest > 0) {
                out.raw(" (MODSEQ " + highest + ")");
            }
            out.endLine();
        } else if (!options.equals(Set.of("SAVE"))) {
            // RFC 9051 §6.4.4: SAVE alone suppresses the ESEARCH response
            writeEsearch(out, session.currentTag(), search.uid(), options, numbers, highest);
        }
        return Completion.ok((search.uid() ? "UID " : "") + "SEARCH completed");
    }

    /** RFC 5182 §2.1: with MIN or MAX but neither ALL nor COUNT, only those messages are saved. */
    private static UidSet saved(UidSet found, Set<String> options) {
        if (found.isEmpty() || options.contains("ALL") || options.contains("COUNT")
                || !(options.contains("MIN") || options.contains("MAX"))) {
            return found;
        }
        List<UidSet.Range> kept = new ArrayList<>();
        if (options.contains("MIN")) {
            kept.add(new UidSet.Range(found.first(), found.first()));
        }
        if (options.contains("MAX")) {
            kept.add(new UidSet.Range(found.last(), found.last()));
        }
        return UidSet.of(kept);
    }

    /** RFC 4731 ESEARCH: {@code * ESEARCH (TAG "a") UID MIN 1 MAX 9 COUNT 3 ALL 1,5,9}. */
    private static void writeEsearch(ResponseWriter out, String tag, boolean uid, Set<String> requested,
                                     UidSet numbers, long highest) throws IOException {
        Set<String> options = requested.stream().allMatch("SAVE"::equals) ? Set.of("ALL") : requested;
        out.raw("* ESEARCH (TAG ").string(tag).raw(")");
        if (uid) {
            out.raw(" UID");
        }
        if (!numbers.isEmpty()) {
            if (options.contains("MIN")) {
                out.raw(" MIN " + numbers.first());
            }
            if (options.contains("MAX")) {
                out.raw(" MAX " + numbers.last());
            }
        }
        if (options.contains("COUNT")) {
            out.raw(" COUNT " + numbers.size());
        }
        if (options.contains("ALL") && !numbers.isEmpty()) {
            out.raw(" ALL " + numbers);
        }
        if (highest > 0) {
            out.raw(" MODSEQ " + highest);
        }
        out.endLine();
    }
}
