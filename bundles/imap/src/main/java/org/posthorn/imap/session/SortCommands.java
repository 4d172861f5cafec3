package org.posthorn.imap.session;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MimePart;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.fetch.HeaderFilter;
import org.posthorn.imap.protocol.Command;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.sort.SortKeys;
import org.posthorn.imap.sort.SortOrder;
import org.posthorn.imap.sort.Threads;

/**
 * SORT and THREAD (RFC 5256): the messages a search finds, with what the order needs read from
 * the store's index and parsed ENVELOPEs (and, for THREAD=REFERENCES, each message's References
 * field from its stored header), in batches.
 */
final class SortCommands {

    private static final int BATCH = 200;

    private final ImapSession session;

    SortCommands(ImapSession session) {
        this.session = session;
    }

    /** Runs the command, or returns null if it is not one of these. */
    Completion execute(Command command) throws ImapException, StoreException, IOException {
        if (command instanceof Command.Sort sort) {
            List<SortKeys> keys = keys(sort.query(), sort.uid(), false);
            keys.sort(SortOrder.of(sort.criteria()));
            StringBuilder line = new StringBuilder("SORT");
            keys.forEach(k -> line.append(' ').append(k.number()));
            session.out().untagged(line.toString());
            return Completion.ok((sort.uid() ? "UID " : "") + "SORT completed");
        }
        if (command instanceof Command.Threading thread) {
            boolean references = thread.algorithm().equals("REFERENCES");
            List<SortKeys> keys = keys(thread.query(), thread.uid(), references);
            String threads = references ? Threads.references(keys) : Threads.orderedSubject(keys);
            session.out().untagged("THREAD" + (threads.isEmpty() ? "" : " " + threads));
            return Completion.ok((thread.uid() ? "UID " : "") + "THREAD completed");
        }
        return null;
    }

    private List<SortKeys> keys(SearchQuery query, boolean uid, boolean references)
            throws ImapException, StoreException, IOException {
        SelectedMailbox mailbox = session.selected();
        MailboxStore store = session.store();
        UidSet found = mailbox.index.within(store.search(session.account(), mailbox.name, query));
        long[] uids = found.isEmpty() ? new long[0] : found.toArray();
        List<SortKeys> keys = new ArrayList<>(uids.length);
        for (int start = 0; start < uids.length; start += BATCH) {
            int end = Math.min(uids.length, start + BATCH);
            UidSet batch = UidSet.ofSorted(Arrays.copyOfRange(uids, start, end), end - start);
            for (StoredMessage message : store.fetch(session.account(), mailbox.name, batch)) {
                long number = uid ? message.meta().uid() : mailbox.index.msn(message.meta().uid());
                keys.add(SortKeys.of(number, message, references ? parents(message) : List.of()));
            }
        }
        return keys;
    }

    /** RFC 5256 §3.2 step 1B: the References field, or else the first id of In-Reply-To. */
    private static List<String> parents(StoredMessage message) {
        MimePart root = message.structure();
        List<String> ids = List.of();
        try (InputStream header = message.source().openRange(root.headerStart(), root.bodyStart() - root.headerStart())) {
            ids = Threads.messageIds(new String(HeaderFilter.filter(header, List.of("REFERENCES"), false),
                    StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // expunged and purged meanwhile: threaded by In-Reply-To alone
        }
        if (ids.isEmpty() && message.envelope() != null) {
            ids = Threads.messageIds(message.envelope().inReplyTo()).stream().limit(1).toList();
        }
        return ids;
    }
}
