package org.posthorn.imap.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.imap.fetch.FetchParser;
import org.posthorn.imap.search.SearchParser;
import org.posthorn.imap.sort.SortOrder;

/**
 * Turns a command name and its arguments into a typed {@link Command} (RFC 9051 §6 and the
 * extensions the server announces). Syntax errors are {@code BAD}; the arguments must be
 * complete, with nothing left over.
 */
public final class CommandParser {

    /** The session states of RFC 9051 §3. */
    public enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

    /** What parsing needs to know of the session. */
    public interface Context {
        /** UTF8=ACCEPT is enabled: mailbox names are UTF-8, not modified UTF-7. */
        boolean utf8();

        /** The selected mailbox's messages, for SEARCH keys; null when none is selected. */
        SearchParser.Messages messages();
    }

    private static final Set<State> ANY = EnumSet.of(State.NOT_AUTHENTICATED, State.AUTHENTICATED, State.SELECTED);
    private static final Set<State> NOT_AUTHENTICATED = EnumSet.of(State.NOT_AUTHENTICATED);
    private static final Set<State> AUTHENTICATED = EnumSet.of(State.AUTHENTICATED, State.SELECTED);
    private static final Set<State> SELECTED = EnumSet.of(State.SELECTED);

    /** The states each command is valid in. */
    private static final Map<String, Set<State>> STATES = Map.ofEntries(
            Map.entry("CAPABILITY", ANY), Map.entry("NOOP", ANY), Map.entry("LOGOUT", ANY), Map.entry("ID", ANY),
            Map.entry("STARTTLS", NOT_AUTHENTICATED), Map.entry("LOGIN", NOT_AUTHENTICATED),
            Map.entry("AUTHENTICATE", NOT_AUTHENTICATED),
            Map.entry("ENABLE", EnumSet.of(State.AUTHENTICATED)),
            Map.entry("SELECT", AUTHENTICATED), Map.entry("EXAMINE", AUTHENTICATED),
            Map.entry("NAMESPACE", AUTHENTICATED), Map.entry("CREATE", AUTHENTICATED),
            Map.entry("DELETE", AUTHENTICATED), Map.entry("RENAME", AUTHENTICATED),
            Map.entry("SUBSCRIBE", AUTHENTICATED), Map.entry("UNSUBSCRIBE", AUTHENTICATED),
            Map.entry("LIST", AUTHENTICATED), Map.entry("LSUB", AUTHENTICATED), Map.entry("STATUS", AUTHENTICATED),
            Map.entry("APPEND", AUTHENTICATED), Map.entry("IDLE", AUTHENTICATED),
            Map.entry("GETQUOTA", AUTHENTICATED), Map.entry("GETQUOTAROOT", AUTHENTICATED),
            Map.entry("SETQUOTA", AUTHENTICATED),
            Map.entry("CHECK", SELECTED), Map.entry("CLOSE", SELECTED), Map.entry("UNSELECT", SELECTED),
            Map.entry("EXPUNGE", SELECTED), Map.entry("SEARCH", SELECTED), Map.entry("FETCH", SELECTED),
            Map.entry("STORE", SELECTED), Map.entry("COPY", SELECTED), Map.entry("MOVE", SELECTED),
            Map.entry("SORT", SELECTED), Map.entry("THREAD", SELECTED),
            Map.entry("UID", SELECTED));

    private static final List<String> STATUS_ITEMS =
            List.of("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE", "DELETED");

    private CommandParser() {
    }

    /** True if {@code name} (upper case) is a command this server knows. */
    public static boolean isKnown(String name) {
        return STATES.containsKey(name);
    }

    /** True if the command may be given in {@code state}. */
    public static boolean allowedIn(String name, State state) {
        return STATES.getOrDefault(name, Set.of()).contains(state);
    }

    /**
     * Parses the arguments of command {@code name} (upper case), the reader being just after the
     * name.
     */
    public static Command parse(String name, CommandReader r, Context context) throws ImapException, IOException {
        boolean utf8 = context.utf8();
        Command command = switch (name) {
            case "CAPABILITY" -> new Command.Capability();
            case "NOOP" -> new Command.Noop();
            case "LOGOUT" -> new Command.Logout();
            case "STARTTLS" -> new Command.StartTls();
            case "NAMESPACE" -> new Command.Namespace();
            case "CHECK" -> new Command.Check();
            case "CLOSE" -> new Command.Close();
            case "UNSELECT" -> new Command.Unselect();
            case "IDLE" -> new Command.Idle();
            case "LOGIN" -> {
                r.sp();
                String user = r.astring();
                r.sp();
                yield new Command.Login(user, r.astring());
            }
            case "AUTHENTICATE" -> {
                r.sp();
                String mechanism = r.atom().toUpperCase(Locale.ROOT);
                yield new Command.Authenticate(mechanism, r.consume(' ') ? r.token() : null);
            }
            case "ID" -> id(r);
            case "ENABLE" -> {
                List<String> capabilities = new ArrayList<>();
                do {
                    r.sp();
                    capabilities.add(r.keyword());
                } while (!r.atEnd());
                yield new Command.Enable(capabilities);
            }
            case "SELECT", "EXAMINE" -> select(r, name.equals("EXAMINE"), utf8);
            case "CREATE" -> create(r, utf8);
            case "DELETE" -> {
                r.sp();
                yield new Command.Delete(r.mailbox(utf8));
            }
            case "RENAME" -> {
                r.sp();
                String from = r.mailbox(utf8);
                r.sp();
                yield new Command.Rename(from, r.mailbox(utf8));
            }
            case "SUBSCRIBE", "UNSUBSCRIBE" -> {
                r.sp();
                yield new Command.Subscribe(r.mailbox(utf8), name.equals("SUBSCRIBE"));
            }
            case "LIST", "LSUB" -> list(r, name.equals("LSUB"), utf8);
            case "STATUS" -> {
                r.sp();
                String mailbox = r.mailbox(utf8);
                r.sp();
                yield new Command.Status(mailbox, statusItems(r));
            }
            case "APPEND" -> append(r, utf8);
            case "EXPUNGE" -> new Command.Expunge(null);
            case "FETCH", "STORE", "COPY", "MOVE", "SEARCH", "SORT", "THREAD" -> selected(name, false, r, context);
            case "UID" -> {
                r.sp();
                String sub = r.keyword();
                if (sub.equals("EXPUNGE")) {
                    r.sp();
                    yield new Command.Expunge(r.sequenceSet());
                }
                if (!List.of("FETCH", "STORE", "COPY", "MOVE", "SEARCH", "SORT", "THREAD").contains(sub)) {
                    throw ImapException.bad("Unknown UID command " + sub);
                }
                yield selected(sub, true, r, context);
            }
            case "GETQUOTAROOT" -> {
                r.sp();
                yield new Command.GetQuotaRoot(r.mailbox(utf8));
            }
            case "GETQUOTA" -> {
                r.sp();
                yield new Command.GetQuota(r.astring());
            }
            case "SETQUOTA" -> {
                r.sp();
                String root = r.astring();
                r.sp();
                r.expect('(');
                while (!r.consume(')')) {
                    r.consume(' ');
                    r.atom();
                    r.sp();
                    r.number();
                }
                yield new Command.SetQuota(root);
            }
            default -> throw ImapException.bad("Unknown command " + name);
        };
        r.end();
        return command;
    }

    /** RFC 2971: the client's parameters are read and not kept. */
    private static Command id(CommandReader r) throws ImapException, IOException {
        r.sp();
        if (r.consume('(')) {
            if (!r.consume(')')) {
                do {
                    r.string();
                    r.sp();
                    r.nstring();
                } while (r.consume(' '));
                r.expect(')');
            }
        } else if (!r.keyword().equals("NIL")) {
            throw ImapException.bad("ID expects a parameter list or NIL");
        }
        return new Command.Id();
    }

    private static Command select(CommandReader r, boolean readOnly, boolean utf8) throws ImapException, IOException {
        r.sp();
        String mailbox = r.mailbox(utf8);
        boolean condstore = false;
        Command.Qresync qresync = null;
        if (r.consume(' ')) {
            r.expect('(');
            do {
                String parameter = r.keyword();
                if (parameter.equals("CONDSTORE")) {
                    condstore = true;
                } else if (parameter.equals("QRESYNC")) {
                    qresync = qresync(r);
                } else {
                    throw ImapException.bad("Unknown SELECT parameter " + parameter);
                }
            } while (r.consume(' '));
            r.expect(')');
        }
        return new Command.Select(mailbox, readOnly, condstore, qresync);
    }

    /** {@code QRESYNC (uidvalidity modseq [known-uids [(seq-match-data)]])}; the match data is read and not used. */
    private static Command.Qresync qresync(CommandReader r) throws ImapException {
        r.sp();
        r.expect('(');
        long uidValidity = r.nzNumber();
        r.sp();
        long modSeq = r.number();
        SequenceSet known = null;
        if (r.consume(' ')) {
            if (r.peek() != '(') {
                known = r.sequenceSet();
                r.consume(' ');
            }
            if (r.consume('(')) {
                r.sequenceSet();
                r.sp();
                r.sequenceSet();
                r.expect(')');
            }
        }
        r.expect(')');
        return new Command.Qresync(uidValidity, modSeq, known);
    }

    /** CREATE, with the RFC 6154 {@code (USE (\Sent))} parameter. */
    private static Command create(CommandReader r, boolean utf8) throws ImapException, IOException {
        r.sp();
        String mailbox = r.mailbox(utf8);
        Set<SpecialUse> uses = EnumSet.noneOf(SpecialUse.class);
        if (r.consume(' ')) {
            r.expect('(');
            if (!r.keyword().equals("USE")) {
                throw ImapException.bad("Unknown CREATE parameter");
            }
            r.sp();
            r.expect('(');
            do {
                r.expect('\\');
                String attribute = r.atom();
                SpecialUse use = null;
                for (SpecialUse candidate : SpecialUse.values()) {
                    if (candidate.name().equalsIgnoreCase(attribute)) {
                        use = candidate;
                    }
                }
                if (use == null) {
                    throw ImapException.no("USEATTR", "Unsupported special use \\" + attribute);
                }
                uses.add(use);
            } while (r.consume(' '));
            r.expect(')');
            r.expect(')');
        }
        return new Command.Create(mailbox, uses);
    }

    private static Command list(CommandReader r, boolean lsub, boolean utf8) throws ImapException, IOException {
        r.sp();
        Set<String> selection = Set.of();
        if (!lsub && r.peek() == '(') {
            selection = options(r, List.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"),
                    "LIST selection option");
            r.sp();
        }
        // RFC 5258 §3.1: RECURSIVEMATCH with nothing but REMOTE (which selects nothing by itself) is an error
        if (selection.contains("RECURSIVEMATCH") && selection.stream()
                .allMatch(o -> o.equals("RECURSIVEMATCH") || o.equals("REMOTE"))) {
            throw ImapException.bad("RECURSIVEMATCH needs another selection option");
        }
        String reference = r.mailbox(utf8);
        r.sp();
        List<String> patterns = new ArrayList<>();
        if (!lsub && r.consume('(')) {
            do {
                patterns.add(r.listMailbox(utf8));
            } while (r.consume(' '));
            r.expect(')');
        } else {
            patterns.add(r.listMailbox(utf8));
        }
        Set<String> returns = new LinkedHashSet<>();
        List<String> statusItems = new ArrayList<>();
        if (!lsub && r.consume(' ')) {
            if (!r.keyword().equals("RETURN")) {
                throw ImapException.bad("Expected RETURN");
            }
            r.sp();
            r.expect('(');
            if (!r.consume(')')) {
                do {
                    String option = r.keyword();
                    switch (option) {
                        case "SUBSCRIBED", "CHILDREN", "SPECIAL-USE" -> returns.add(option);
                        case "STATUS" -> {
                            r.sp();
                            returns.add(option);
                            statusItems.addAll(statusItems(r));
                        }
                        default -> throw ImapException.bad("Unknown LIST return option " + option);
                    }
                } while (r.consume(' '));
                r.expect(')');
            }
        }
        return new Command.ListMailboxes(lsub, selection, reference, patterns, returns, statusItems);
    }

    /** A parenthesised list of options, each one of {@code allowed}; upper case, possibly empty. */
    private static Set<String> options(CommandReader r, List<String> allowed, String what) throws ImapException {
        r.expect('(');
        Set<String> options = new LinkedHashSet<>();
        if (!r.consume(')')) {
            do {
                String option = r.keyword();
                if (!allowed.contains(option)) {
                    throw ImapException.bad("Unknown " + what + " " + option);
                }
                options.add(option);
            } while (r.consume(' '));
            r.expect(')');
        }
        return options;
    }

    private static List<String> statusItems(CommandReader r) throws ImapException {
        r.expect('(');
        List<String> items = new ArrayList<>();
        do {
            String item = r.keyword();
            if (!STATUS_ITEMS.contains(item)) {
                throw ImapException.bad("Unknown STATUS item " + item);
            }
            items.add(item);
        } while (r.consume(' '));
        r.expect(')');
        return items;
    }

    /** {@code APPEND mailbox [flags] [date-time] literal}, also {@code UTF8 (~{n})} of RFC 6855. */
    private static Command append(CommandReader r, boolean utf8) throws ImapException, IOException {
        r.sp();
        String mailbox = r.mailbox(utf8);
        r.sp();
        return appendMessage(r, mailbox);
    }

    /**
     * One message of an APPEND up to its literal: {@code [flags] [date-time] literal}. MULTIAPPEND
     * (RFC 3502) repeats it after a space on the line that follows the previous message's literal.
     */
    public static Command.Append appendMessage(CommandReader r, String mailbox) throws ImapException, IOException {
        Set<String> flags = Set.of();
        if (r.peek() == '(') {
            flags = r.flagList();
            r.sp();
        }
        java.time.Instant date = null;
        if (r.peek() == '"') {
            date = ImapDates.dateTime(r);
            r.sp();
        }
        if (r.peekIgnoreCase("UTF8 (")) {
            r.keyword();
            r.sp();
            r.expect('(');
        }
        return new Command.Append(mailbox, flags, date, r.messageLiteral());
    }

    private static Command selected(String name, boolean uid, CommandReader r, Context context)
            throws ImapException, IOException {
        r.sp();
        switch (name) {
            case "SEARCH" -> {
                return search(r, uid, context);
            }
            case "SORT" -> {
                return sort(r, uid, context);
            }
            case "THREAD" -> {
                return thread(r, uid, context);
            }
            default -> {
                // a command on a sequence set, below
            }
        }
        SequenceSet set = r.sequenceSet();
        r.sp();
        return switch (name) {
            case "FETCH" -> fetch(r, uid, set);
            case "STORE" -> store(r, uid, set);
            default -> new Command.Transfer(uid, name.equals("MOVE"), set, r.mailbox(context.utf8()));
        };
    }

    private static Command fetch(CommandReader r, boolean uid, SequenceSet set) throws ImapException, IOException {
        var items = FetchParser.items(r);
        long changedSince = -1;
        boolean vanished = false;
        if (r.consume(' ')) {
            r.expect('(');
            do {
                String modifier = r.keyword();
                if (modifier.equals("CHANGEDSINCE")) {
                    r.sp();
                    changedSince = r.number();
                } else if (modifier.equals("VANISHED") && uid) {
                    vanished = true;
                } else {
                    throw ImapException.bad("Unknown FETCH modifier " + modifier);
                }
            } while (r.consume(' '));
            r.expect(')');
            if (vanished && changedSince < 0) {
                throw ImapException.bad("VANISHED needs CHANGEDSINCE");
            }
        }
        return new Command.Fetch(uid, set, items, changedSince, vanished);
    }

    private static Command store(CommandReader r, boolean uid, SequenceSet set) throws ImapException {
        long unchangedSince = -1;
        if (r.consume('(')) {
            if (!r.keyword().equals("UNCHANGEDSINCE")) {
                throw ImapException.bad("Unknown STORE modifier");
            }
            r.sp();
            unchangedSince = r.number();
            r.expect(')');
            r.sp();
        }
        FlagUpdate.Mode mode = FlagUpdate.Mode.REPLACE;
        if (r.consume('+')) {
            mode = FlagUpdate.Mode.ADD;
        } else if (r.consume('-')) {
            mode = FlagUpdate.Mode.REMOVE;
        }
        String item = r.keyword();
        if (!item.equals("FLAGS") && !item.equals("FLAGS.SILENT")) {
            throw ImapException.bad("Unknown STORE item " + item);
        }
        r.sp();
        Set<String> flags;
        if (r.peek() == '(') {
            flags = r.flagList();
        } else {
            flags = new LinkedHashSet<>();
            do {
                flags.add(r.flag());
            } while (r.consume(' '));
        }
        return new Command.Store(uid, set, unchangedSince, mode, item.endsWith(".SILENT"), flags);
    }

    /** SEARCH with RFC 4731 RETURN options and CHARSET. */
    private static Command search(CommandReader r, boolean uid, Context context) throws ImapException, IOException {
        Set<String> returns = null;
        if (r.peekIgnoreCase("RETURN ")) {
            r.keyword();
            r.sp();
            returns = options(r, List.of("MIN", "MAX", "COUNT", "ALL", "SAVE"), "SEARCH return option");
            r.sp();
        }
        if (r.peekIgnoreCase("CHARSET ")) {
            r.keyword();
            r.sp();
            charset(r);
        }
        SearchQuery query = SearchParser.keys(r, context.messages());
        return new Command.Search(uid, query, returns);
    }

    /** A search charset and the space after it: UTF-8 or US-ASCII (RFC 9051 §6.4.4). */
    private static void charset(CommandReader r) throws ImapException, IOException {
        String charset = r.astring().toUpperCase(Locale.ROOT);
        if (!charset.equals("UTF-8") && !charset.equals("US-ASCII")) {
            throw ImapException.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset " + charset);
        }
        r.sp();
    }

    /** RFC 5256 {@code SORT (criteria) charset keys}. */
    private static Command sort(CommandReader r, boolean uid, Context context) throws ImapException, IOException {
        r.expect('(');
        List<SortOrder.Criterion> criteria = new ArrayList<>();
        do {
            String key = r.keyword();
            boolean reverse = key.equals("REVERSE");
            if (reverse) {
                r.sp();
                key = r.keyword();
            }
            if (!SortOrder.KEYS.contains(key)) {
                throw ImapException.bad("Unknown sort key " + key);
            }
            criteria.add(new SortOrder.Criterion(key, reverse));
        } while (r.consume(' '));
        r.expect(')');
        r.sp();
        charset(r);
        return new Command.Sort(uid, criteria, SearchParser.keys(r, context.messages()));
    }

    /** RFC 5256 {@code THREAD algorithm charset keys}. */
    private static Command thread(CommandReader r, boolean uid, Context context) throws ImapException, IOException {
        String algorithm = r.keyword();
        if (!algorithm.equals("ORDEREDSUBJECT") && !algorithm.equals("REFERENCES")) {
            throw ImapException.bad("Unknown threading algorithm " + algorithm);
        }
        r.sp();
        charset(r);
        return new Command.Threading(uid, algorithm, SearchParser.keys(r, context.messages()));
    }
}
