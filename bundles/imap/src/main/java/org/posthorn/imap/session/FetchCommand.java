package org.posthorn.imap.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.fetch.BodyStructure;
import org.posthorn.imap.fetch.FetchItem;
import org.posthorn.imap.fetch.SectionContent;
import org.posthorn.imap.protocol.Command;
import org.posthorn.imap.protocol.CommandReader;
import org.posthorn.imap.protocol.ImapDates;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.ResponseWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5) with CHANGEDSINCE and VANISHED (RFC 7162). Messages are
 * read from the store in batches: only the narrow index for flags, dates and sizes, the parsed
 * structure when envelope, body structure or sections are asked for; sections are streamed.
 * A BODY[...] without PEEK sets {@code \Seen} (one store call per batch) and reports the new flags.
 */
final class FetchCommand {

    private static final Logger LOG = LoggerFactory.getLogger(FetchCommand.class);

    /** Messages read from the store at once with their structure: bounds what is held in memory. */
    private static final int CONTENT_BATCH = 200;
    /** Messages read at once from the narrow index (flags, sizes, dates). */
    private static final int META_BATCH = 5000;

    private final ImapSession session;

    FetchCommand(ImapSession session) {
        this.session = session;
    }

    Completion execute(Command.Fetch fetch) throws ImapException, StoreException, IOException {
        SelectedMailbox mailbox = session.selected();
        MailboxStore store = session.store();
        String account = session.account();
        List<FetchItem> items = fetch.items();
        if (fetch.changedSince() >= 0 || items.contains(new FetchItem.Attribute(FetchItem.Kind.MODSEQ))) {
            session.enableCondstore();
        }
        if (fetch.vanished() && !session.qresync()) {
            throw ImapException.bad("VANISHED needs QRESYNC to be enabled");
        }
        UidSet uids = session.resolve(fetch.set(), fetch.uid());
        if (fetch.vanished()) {
            writeVanished(mailbox, store, account, fetch);
        }
        boolean needsContent = items.stream().anyMatch(FetchCommand::needsContent);
        boolean setsSeen = !mailbox.readOnly && items.stream().anyMatch(FetchCommand::setsSeen);
        long[] all = uidsOf(uids);
        boolean missing = false;
        int batchSize = needsContent ? CONTENT_BATCH : META_BATCH;
        for (int start = 0; start < all.length; start += batchSize) {
            int end = Math.min(all.length, start + batchSize);
            UidSet batch = UidSet.ofSorted(java.util.Arrays.copyOfRange(all, start, end), end - start);
            Set<Long> seenNow = setsSeen ? markSeen(mailbox, store, account, batch) : Set.of();
            int found = 0;
            if (needsContent) {
                for (StoredMessage message : store.fetch(account, mailbox.name, batch)) {
                    if (message.meta().modSeq() <= fetch.changedSince()
                            || writeMessage(mailbox, fetch, message.meta(), message,
                                    seenNow.contains(message.meta().uid()))) {
                        found++;
                    }
                }
            } else {
                for (MessageMeta meta : store.messages(account, mailbox.name, batch)) {
                    found++;
                    if (meta.modSeq() > fetch.changedSince()) {
                        writeMessage(mailbox, fetch, meta, null, seenNow.contains(meta.uid()));
                    }
                }
            }
            missing |= found < end - start;
        }
        if (missing && !fetch.uid()) {
            // RFC 9051 §7.1: the messages were expunged by another session; the client hears so later
            return Completion.ok("EXPUNGEISSUED", "Some of the requested messages no longer exist");
        }
        return Completion.ok((fetch.uid() ? "UID " : "") + "FETCH completed");
    }

    private static long[] uidsOf(UidSet uids) {
        return uids.isEmpty() ? new long[0] : uids.toArray();
    }

    private static boolean needsContent(FetchItem item) {
        if (item instanceof FetchItem.Attribute a) {
            return a.kind() == FetchItem.Kind.ENVELOPE || a.kind() == FetchItem.Kind.BODY
                    || a.kind() == FetchItem.Kind.BODYSTRUCTURE;
        }
        return true;
    }

    private static boolean setsSeen(FetchItem item) {
        return item instanceof FetchItem.BodySection b && !b.peek() || item instanceof FetchItem.Binary x && !x.peek();
    }

    /** Sets {@code \Seen} on the batch; returns the UIDs whose flags changed. */
    private Set<Long> markSeen(SelectedMailbox mailbox, MailboxStore store, String account, UidSet batch)
            throws StoreException {
        FlagUpdate update = store.updateFlags(account, mailbox.name, batch, FlagUpdate.Mode.ADD,
                Set.of(CommandReader.Flags.SEEN), -1);
        if (update.changed().isEmpty()) {
            return Set.of();
        }
        mailbox.ownChange(update.changed().get(0).modSeq());
        Set<Long> changed = new java.util.HashSet<>();
        for (MessageMeta meta : update.changed()) {
            changed.add(meta.uid());
        }
        return changed;
    }

    /** RFC 7162 §3.2.6: UIDs in the set expunged since CHANGEDSINCE, before the FETCH responses. */
    private void writeVanished(SelectedMailbox mailbox, MailboxStore store, String account, Command.Fetch fetch)
            throws StoreException, IOException {
        long star = Math.max(mailbox.index.lastUid(), 1);
        List<UidSet.Range> requested = new ArrayList<>();
        fetch.set().resolved(star).forEach(r -> requested.add(new UidSet.Range(r.first(), r.last())));
        UidSet asked = UidSet.of(requested);
        List<UidSet.Range> vanished = new ArrayList<>();
        for (UidSet.Range r : store.vanishedSince(account, mailbox.name, fetch.changedSince()).ranges()) {
            for (long uid = r.first(); uid <= r.last(); uid++) {
                if (asked.contains(uid) && mailbox.index.msn(uid) == 0) {
                    vanished.add(new UidSet.Range(uid, uid));
                }
            }
        }
        if (!vanished.isEmpty()) {
            session.out().untagged("VANISHED (EARLIER) " + UidSet.of(vanished));
        }
    }

    /** Writes one message's FETCH response; false if its content is gone (expunged and purged meanwhile). */
    private boolean writeMessage(SelectedMailbox mailbox, Command.Fetch fetch, MessageMeta meta, StoredMessage message,
                                 boolean flagsChanged) throws ImapException, IOException {
        int msn = mailbox.index.msn(meta.uid());
        if (msn == 0) {
            return true;
        }
        Map<FetchItem, SectionContent> contents = new IdentityHashMap<>();
        try {
            if (message != null && !open(message, fetch.items(), contents)) {
                return false;
            }
            writeItems(mailbox, fetch, meta, message, flagsChanged, msn, contents);
            return true;
        } finally {
            for (SectionContent content : contents.values()) {
                content.close();
            }
        }
    }

    /** Opens the sections before the response begins; false if the message's content is gone. */
    private static boolean open(StoredMessage message, List<FetchItem> items, Map<FetchItem, SectionContent> contents)
            throws ImapException {
        for (FetchItem item : items) {
            if (item instanceof FetchItem.Binary binary) {
                SectionContent.checkBinary(message, binary.part());
            }
        }
        try {
            for (FetchItem item : items) {
                if (item instanceof FetchItem.BodySection section) {
                    contents.put(item, SectionContent.body(message, section));
                } else if (item instanceof FetchItem.Binary binary) {
                    contents.put(item, SectionContent.binary(message, binary));
                }
            }
            return true;
        } catch (IOException e) {
            LOG.debug("Message {} is gone: {}", message.meta().uid(), e.getMessage());
            return false;
        }
    }

    private void writeItems(SelectedMailbox mailbox, Command.Fetch fetch, MessageMeta meta, StoredMessage message,
                            boolean flagsChanged, int msn, Map<FetchItem, SectionContent> contents)
            throws IOException {
        ResponseWriter out = session.out();
        mailbox.announceKeywordsOf(meta, out);
        out.raw("* " + msn + " FETCH (");
        boolean first = true;
        boolean flagsWritten = false;
        boolean modSeqWritten = false;
        if (fetch.uid() && !fetch.items().contains(new FetchItem.Attribute(FetchItem.Kind.UID))) {
            out.raw("UID " + meta.uid());
            first = false;
        }
        for (FetchItem item : fetch.items()) {
            if (!first) {
                out.sp();
            }
            first = false;
            if (item instanceof FetchItem.Attribute attribute) {
                switch (attribute.kind()) {
                    case FLAGS -> {
                        out.raw("FLAGS ").flags(mailbox.flags(meta));
                        flagsWritten = true;
                    }
                    case UID -> out.raw("UID " + meta.uid());
                    case INTERNALDATE -> out.raw("INTERNALDATE \"" + ImapDates.format(meta.internalDate()) + "\"");
                    case RFC822_SIZE -> out.raw("RFC822.SIZE " + meta.size());
                    case MODSEQ -> {
                        out.raw("MODSEQ (" + meta.modSeq() + ")");
                        modSeqWritten = true;
                    }
                    case ENVELOPE -> {
                        out.raw("ENVELOPE ");
                        BodyStructure.envelope(out, message.envelope());
                    }
                    case BODY -> {
                        out.raw("BODY ");
                        BodyStructure.write(out, message.structure(), false);
                    }
                    case BODYSTRUCTURE -> {
                        out.raw("BODYSTRUCTURE ");
                        BodyStructure.write(out, message.structure(), true);
                    }
                }
            } else if (item instanceof FetchItem.BodySection section) {
                out.raw(section.responseName()).sp();
                contents.get(item).write(out);
            } else if (item instanceof FetchItem.Binary binary) {
                out.raw(binary.responseName()).sp();
                contents.get(item).write(out);
            } else if (item instanceof FetchItem.BinarySize size) {
                out.raw("BINARY.SIZE[" + size.part() + "] ");
                SectionContent.writeBinarySize(out, message, size.part());
            }
        }
        if (flagsChanged && !flagsWritten) {
            // RFC 9051 §6.4.5: the \Seen set by this FETCH is reported
            out.raw(" FLAGS ").flags(mailbox.flags(meta));
            flagsWritten = true;
        }
        if (session.condstore() && !modSeqWritten && (flagsWritten || fetch.changedSince() >= 0)) {
            out.raw(" MODSEQ (" + meta.modSeq() + ")");
        }
        out.raw(")").endLine();
    }
}
