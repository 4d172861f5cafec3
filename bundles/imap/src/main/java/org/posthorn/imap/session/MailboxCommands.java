package org.posthorn.imap.session;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MailboxStatus;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.NewMessage;
import org.posthorn.api.store.QuotaUsage;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.protocol.Command;
import org.posthorn.imap.protocol.CommandParser;
import org.posthorn.imap.protocol.CommandReader;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.ResponseWriter;

/**
 * Commands on mailboxes as a whole, valid in the authenticated and the selected state: CREATE,
 * DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS, APPEND and the QUOTA commands
 * (RFC 9208).
 */
final class MailboxCommands {

    private static final String DELIMITER = "/";

    private final ImapSession session;

    MailboxCommands(ImapSession session) {
        this.session = session;
    }

    /** Runs the command, or returns null if it is not one of these. */
    Completion execute(Command command, CommandReader reader) throws ImapException, StoreException, IOException {
        if (command instanceof Command.Create create) {
            return create(create);
        }
        if (command instanceof Command.Delete delete) {
            return delete(delete.mailbox());
        }
        if (command instanceof Command.Rename rename) {
            if (rename.from().equals(rename.to())) {
                throw ImapException.no("ALREADYEXISTS", "Mailbox already exists");
            }
            String to = trimDelimiter(rename.to());
            session.store().rename(session.account(), rename.from(), to);
            followRename(rename.from(), to);
            return Completion.ok("RENAME completed");
        }
        if (command instanceof Command.Subscribe subscribe) {
            session.store().subscribe(session.account(), subscribe.mailbox(), subscribe.subscribe());
            return Completion.ok((subscribe.subscribe() ? "SUBSCRIBE" : "UNSUBSCRIBE") + " completed");
        }
        if (command instanceof Command.ListMailboxes list) {
            return list.lsub() ? lsub(list) : list(list);
        }
        if (command instanceof Command.Status status) {
            MailboxStatus counters = session.store().status(session.account(), status.mailbox());
            writeStatus(status.mailbox(), counters, status.items());
            return Completion.ok("STATUS completed");
        }
        if (command instanceof Command.Append append) {
            return append(append, reader);
        }
        if (command instanceof Command.GetQuotaRoot root) {
            return quotaRoot(root.mailbox());
        }
        if (command instanceof Command.GetQuota quota) {
            return quota(quota.root());
        }
        if (command instanceof Command.SetQuota) {
            throw ImapException.no("NOPERM", "Quotas are set by the administrator");
        }
        return null;
    }

    /**
     * The selected mailbox (or one below the renamed one) goes by its new name at once; the
     * store's event says the same later. Renaming INBOX moves its messages, INBOX stays.
     */
    private void followRename(String from, String to) {
        SelectedMailbox selected = session.selected();
        if (selected == null || from.equalsIgnoreCase("INBOX")) {
            return;
        }
        if (selected.name.equals(from)) {
            selected.name = to;
        } else if (selected.name.startsWith(from + DELIMITER)) {
            selected.name = to + selected.name.substring(from.length());
        }
    }

    /** RFC 9051 §6.3.4: a trailing delimiter only says the mailbox is meant to have children. */
    private static String trimDelimiter(String name) {
        return name.length() > 1 && name.endsWith(DELIMITER) ? name.substring(0, name.length() - 1) : name;
    }

    private Completion create(Command.Create create) throws ImapException, StoreException {
        String name = trimDelimiter(create.mailbox());
        if (name.equalsIgnoreCase("INBOX")) {
            throw ImapException.no("ALREADYEXISTS", "INBOX always exists");
        }
        session.store().create(session.account(), name, create.specialUse());
        return Completion.ok("CREATE completed");
    }

    private Completion delete(String mailbox) throws ImapException, StoreException {
        if (mailbox.equalsIgnoreCase("INBOX")) {
            throw ImapException.no("CANNOT", "INBOX cannot be deleted");
        }
        MailboxStore store = session.store();
        MailboxInfo info = store.mailbox(session.account(), mailbox);
        if (info.hasChildren()) {
            // RFC 9051 §6.3.4 allows refusing; the store does
            throw ImapException.no("HASCHILDREN", "Mailbox has children; delete them first");
        }
        SelectedMailbox selected = session.selected();
        store.delete(session.account(), mailbox);
        if (selected != null && selected.id == info.id()) {
            session.select(null);
        }
        return Completion.ok("DELETE completed");
    }

    // ---- LIST and LSUB

    private Completion list(Command.ListMailboxes list) throws ImapException, StoreException, IOException {
        if (list.patterns().size() == 1 && list.patterns().get(0).isEmpty()) {
            // RFC 9051 §6.3.9: an empty pattern asks for the hierarchy delimiter
            session.out().untagged("LIST (\\Noselect) \"/\" \"\"");
            return Completion.ok("LIST completed");
        }
        MailboxStore store = session.store();
        String account = session.account();
        List<MailboxPattern> patterns = patterns(list);
        boolean subscribedOnly = list.selection().contains("SUBSCRIBED");
        boolean specialUseOnly = list.selection().contains("SPECIAL-USE");
        boolean recursive = list.selection().contains("RECURSIVEMATCH");
        boolean showSubscribed = subscribedOnly || list.returnOptions().contains("SUBSCRIBED");

        Map<String, MailboxInfo> existing = new HashMap<>();
        for (MailboxInfo info : store.mailboxes(account)) {
            existing.put(info.name(), info);
        }
        Set<String> subscribed = new TreeSet<>(showSubscribed ? store.subscriptions(account) : List.of());
        Set<String> candidates = new TreeSet<>(subscribedOnly ? subscribed : existing.keySet());
        if (subscribedOnly && recursive) {
            for (String name : subscribed) {
                candidates.addAll(ancestors(name));
            }
        }
        for (String name : candidates) {
            if (!matches(patterns, name)) {
                continue;
            }
            MailboxInfo info = existing.get(name);
            boolean selectedBySubscription = !subscribedOnly || subscribed.contains(name);
            boolean selectedBySpecialUse = !specialUseOnly || (info != null && !info.specialUse().isEmpty());
            String childInfo = null;
            if (!selectedBySubscription) {
                if (!recursive || !hasUnlistedDescendantIn(name, subscribed, patterns)) {
                    continue;
                }
                childInfo = "SUBSCRIBED";
            }
            if (!selectedBySpecialUse) {
                continue;
            }
            List<String> attributes = new ArrayList<>();
            if (info == null) {
                attributes.add("\\NonExistent");
            } else {
                attributes.add(info.hasChildren() ? "\\HasChildren" : "\\HasNoChildren");
                for (SpecialUse use : info.specialUse()) {
                    attributes.add(use.attribute());
                }
            }
            if (showSubscribed && subscribed.contains(name)) {
                attributes.add("\\Subscribed");
            }
            ResponseWriter out = session.out();
            out.raw("* LIST ").flags(attributes).raw(" \"/\" ").mailbox(name);
            if (childInfo != null) {
                out.raw(" (\"CHILDINFO\" (\"" + childInfo + "\"))");
            }
            out.endLine();
            if (info != null && list.returnOptions().contains("STATUS")) {
                writeStatus(name, store.status(account, name), list.statusItems());
            }
        }
        return Completion.ok("LIST completed");
    }

    /** RFC 3501 §6.3.9 LSUB; with {@code %}, an unsubscribed parent of a subscribed name is \Noselect. */
    private Completion lsub(Command.ListMailboxes list) throws ImapException, StoreException, IOException {
        List<MailboxPattern> patterns = patterns(list);
        Set<String> subscribed = new TreeSet<>(session.store().subscriptions(session.account()));
        Map<String, Boolean> listed = new java.util.TreeMap<>();
        for (String name : subscribed) {
            if (matches(patterns, name)) {
                listed.put(name, true);
            }
            for (String parent : ancestors(name)) {
                if (!subscribed.contains(parent) && matches(patterns, parent) && !matches(patterns, name)) {
                    listed.putIfAbsent(parent, false);
                }
            }
        }
        for (Map.Entry<String, Boolean> entry : listed.entrySet()) {
            session.out().raw(entry.getValue() ? "* LSUB () \"/\" " : "* LSUB (\\Noselect) \"/\" ")
                    .mailbox(entry.getKey()).endLine();
        }
        return Completion.ok("LSUB completed");
    }

    private static List<MailboxPattern> patterns(Command.ListMailboxes list) {
        return list.patterns().stream().map(p -> new MailboxPattern(list.reference() + p)).toList();
    }

    private static boolean matches(List<MailboxPattern> patterns, String name) {
        return patterns.stream().anyMatch(p -> p.matches(name));
    }

    private static List<String> ancestors(String name) {
        List<String> result = new ArrayList<>();
        int i = name.indexOf(DELIMITER);
        while (i > 0) {
            result.add(name.substring(0, i));
            i = name.indexOf(DELIMITER, i + 1);
        }
        return result;
    }

    /**
     * RFC 5258 §3.5: CHILDINFO is for a descendant that meets the selection criteria but is not
     * listed itself because no pattern matches it.
     */
    private static boolean hasUnlistedDescendantIn(String name, Set<String> names, List<MailboxPattern> patterns) {
        String prefix = name + DELIMITER;
        return names.stream().anyMatch(n -> n.startsWith(prefix) && !matches(patterns, n));
    }

    // ---- STATUS

    /** {@code * STATUS name (item value ...)} for the requested items, in their order. */
    void writeStatus(String mailbox, MailboxStatus status, List<String> items) throws IOException {
        ResponseWriter out = session.out();
        if (items.contains("HIGHESTMODSEQ")) {
            session.enableCondstore();
        }
        out.raw("* STATUS ").mailbox(mailbox).raw(" (");
        boolean first = true;
        for (String item : items) {
            long value = switch (item) {
                case "MESSAGES" -> status.messages();
                case "RECENT" -> status.recent();
                case "UIDNEXT" -> status.uidNext();
                case "UIDVALIDITY" -> status.uidValidity();
                case "UNSEEN" -> status.unseen();
                case "HIGHESTMODSEQ" -> status.highestModSeq();
                case "SIZE" -> status.size();
                case "DELETED" -> status.deleted();
                default -> throw new IllegalArgumentException("STATUS item " + item);
            };
            out.raw((first ? "" : " ") + item + " " + value);
            first = false;
        }
        out.raw(")").endLine();
    }

    // ---- APPEND

    /**
     * RFC 9051 §6.3.12 with UIDPLUS APPENDUID, and MULTIAPPEND (RFC 3502): every message of the
     * command is spooled, then all are stored in one transaction, or none. The target and each
     * message's size are checked before its continuation request, so a client with a
     * synchronizing literal sends nothing in vain; all messages together may not exceed the
     * message size limit either.
     */
    private Completion append(Command.Append first, CommandReader reader)
            throws ImapException, StoreException, IOException {
        MailboxStore store = session.store();
        String account = session.account();
        try {
            store.mailbox(account, first.mailbox());
        } catch (StoreException e) {
            throw StoreErrors.ofTarget(e);
        }
        List<LiteralSpool> spools = new ArrayList<>();
        try {
            List<NewMessage> messages = new ArrayList<>();
            long total = 0;
            long memoryLeft = LiteralSpool.IN_MEMORY;
            Command.Append append = first;
            while (true) {
                long length = append.literal().length();
                long limit = session.settings().maxMessageSize();
                total += length;
                if (length > limit || total > limit) {
                    throw ImapException.no("TOOBIG", "Message too large; the limit is " + limit + " bytes");
                }
                if (length == 0) {
                    throw ImapException.no("CANNOT", "An empty message cannot be stored");
                }
                if (append.literal().synchronizing()) {
                    session.out().continuation("Ready for literal data");
                }
                try (InputStream in = session.connection().readCounted(length)) {
                    LiteralSpool spool = new LiteralSpool(in, length, memoryLeft);
                    spools.add(spool);
                    memoryLeft -= spool.inMemory();
                    messages.add(new NewMessage(spool.source(), append.flags(), append.date()));
                }
                reader.nextLine();
                reader.consume(')');
                if (reader.atEnd()) {
                    break;
                }
                reader.sp();
                append = CommandParser.appendMessage(reader, first.mailbox());
            }
            for (int i = 0; i < messages.size(); i++) {
                NewMessage m = messages.get(i);
                if (spools.get(i).encodeNulParts()) {
                    messages.set(i, new NewMessage(spools.get(i).source(), m.flags(), m.internalDate()));
                }
            }
            List<AppendResult> results;
            try {
                results = store.appendAll(account, first.mailbox(), messages);
            } catch (StoreException e) {
                throw StoreErrors.ofTarget(e);
            }
            long uidValidity = results.get(0).uidValidity();
            SelectedMailbox selected = session.selected();
            if (selected != null && selected.uidValidity == uidValidity) {
                selected.markDirty();
            }
            long[] uids = results.stream().mapToLong(AppendResult::uid).toArray();
            return Completion.ok("APPENDUID " + uidValidity + " " + UidSet.ofUids(uids), "APPEND completed");
        } finally {
            for (LiteralSpool spool : spools) {
                spool.close();
            }
        }
    }

    // ---- QUOTA (RFC 9208): one quota root "" per account

    private Completion quotaRoot(String mailbox) throws ImapException, StoreException, IOException {
        MailboxStore store = session.store();
        store.mailbox(session.account(), mailbox);
        QuotaUsage quota = store.quota(session.account());
        boolean limited = quota.limitBytes() > 0 || quota.limitMessages() > 0;
        session.out().raw("* QUOTAROOT ").mailbox(mailbox).raw(limited ? " \"\"" : "").endLine();
        if (limited) {
            writeQuota(quota);
        }
        return Completion.ok("GETQUOTAROOT completed");
    }

    private Completion quota(String root) throws ImapException, StoreException, IOException {
        QuotaUsage quota = session.store().quota(session.account());
        if (!root.isEmpty() || (quota.limitBytes() == 0 && quota.limitMessages() == 0)) {
            throw ImapException.no("NONEXISTENT", "No such quota root");
        }
        writeQuota(quota);
        return Completion.ok("GETQUOTA completed");
    }

    /** STORAGE is counted in units of 1024 octets (RFC 9208 §5.1). */
    private void writeQuota(QuotaUsage quota) throws IOException {
        List<String> resources = new ArrayList<>();
        if (quota.limitBytes() > 0) {
            resources.add("STORAGE " + (quota.usedBytes() + 1023) / 1024 + " " + quota.limitBytes() / 1024);
        }
        if (quota.limitMessages() > 0) {
            resources.add("MESSAGE " + quota.usedMessages() + " " + quota.limitMessages());
        }
        session.out().untagged("QUOTA \"\" (" + String.join(" ", resources) + ")");
    }
}
