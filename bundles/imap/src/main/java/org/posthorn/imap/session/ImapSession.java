package org.posthorn.imap.session;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.UidSet;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.imap.protocol.Command;
import org.posthorn.imap.protocol.CommandParser;
import org.posthorn.imap.protocol.CommandParser.State;
import org.posthorn.imap.protocol.CommandReader;
import org.posthorn.imap.protocol.ImapException;
import org.posthorn.imap.protocol.ResponseWriter;
import org.posthorn.imap.protocol.SequenceSet;
import org.posthorn.imap.search.SearchParser;
import org.posthorn.net.Connection;
import org.posthorn.net.Line;
import org.posthorn.net.LineTooLongException;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.Rejection;
import org.posthorn.net.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IMAP connection: the state machine of RFC 9051 §3, the reading of commands (with their
 * literals), and the commands that concern the session itself (CAPABILITY, LOGIN,
 * AUTHENTICATE, STARTTLS, ENABLE, ID, IDLE, LOGOUT). Mailbox commands are in
 * {@link MailboxCommands}, commands on the selected mailbox in {@link SelectedCommands} and
 * {@link FetchCommand}.
 *
 * <p>Every command runs in its own try: a failure becomes a tagged NO or BAD, a server bug
 * {@code NO [SERVERBUG]} and a log line; the connection stays up. Updates from other sessions
 * (EXISTS, EXPUNGE, FETCH) go out after a command's own responses and before its tagged
 * completion, and while IDLE as they happen.
 */
public final class ImapSession implements ProtocolSession, CommandReader.Input, CommandParser.Context {

    private static final Logger LOG = LoggerFactory.getLogger(ImapSession.class);

    private final Connection connection;
    private final ImapService service;
    private final ResponseWriter out;
    private final MailboxCommands mailboxCommands = new MailboxCommands(this);
    private final SelectedCommands selectedCommands = new SelectedCommands(this);
    private final FetchCommand fetchCommand = new FetchCommand(this);
    private final SortCommands sortCommands = new SortCommands(this);
    /** Per mailbox of the account, the highest MODSEQ an event announced (written by the event thread). */
    private final Map<Long, Long> latestModSeq = new ConcurrentHashMap<>();

    private State state = State.NOT_AUTHENTICATED;
    private String account;
    private volatile SelectedMailbox selected;
    /** The tag of the IDLE command in progress, or null. */
    private volatile String idleTag;
    private boolean condstore;
    private boolean qresync;
    /** ENABLE IMAP4rev2 (RFC 9051): no \Recent, ESEARCH for SEARCH, UTF-8 mailbox names. */
    private boolean rev2;
    /** The result the last SEARCH ... RETURN (SAVE) kept, as UIDs (RFC 5182 {@code $}). */
    private UidSet savedSearch = UidSet.EMPTY;
    private int badCommands;
    /** The tag of the command being executed. */
    private String currentTag;

    ImapSession(Connection connection, ImapService service) {
        this.connection = connection;
        this.service = service;
        this.out = new ResponseWriter(connection);
    }

    // ---- what the command handlers use

    ResponseWriter out() {
        return out;
    }

    Connection connection() {
        return connection;
    }

    ImapSettings settings() {
        return service.settings();
    }

    String account() {
        return account;
    }

    MailboxStore store() throws ImapException {
        MailboxStore store = service.store();
        if (store == null) {
            throw StoreErrors.unavailable();
        }
        return store;
    }

    String currentTag() {
        return currentTag;
    }

    SelectedMailbox selected() {
        return selected;
    }

    boolean condstore() {
        return condstore;
    }

    /** RFC 7162 §3.1: a CONDSTORE-enabling command was used. */
    void enableCondstore() throws IOException {
        if (!condstore && selected != null) {
            // RFC 7162 §3.1: the first CONDSTORE enabling command while a mailbox is selected
            // tells the client the HIGHESTMODSEQ it is in step with
            out.untagged("OK [HIGHESTMODSEQ " + selected.highestModSeq() + "] Highest");
        }
        condstore = true;
    }

    boolean qresync() {
        return qresync;
    }

    boolean rev2() {
        return rev2;
    }

    /** RFC 5182: what {@code $} stands for from now on. */
    void saveSearch(UidSet uids) {
        savedSearch = uids;
    }

    /** Makes {@code mailbox} the selected one (null: none); the old one is forgotten. */
    void select(SelectedMailbox mailbox) {
        selected = mailbox;
        savedSearch = UidSet.EMPTY;
        state = mailbox == null ? State.AUTHENTICATED : State.SELECTED;
    }

    /** The highest MODSEQ events announced for a mailbox. */
    long latestModSeq(long mailboxId) {
        return latestModSeq.getOrDefault(mailboxId, 0L);
    }

    /** {@code * msn FETCH (FLAGS (...) [UID n] [MODSEQ (n)])} for a flag change. */
    void writeFlags(int msn, MessageMeta meta, boolean withUid) throws IOException {
        selected.announceKeywordsOf(meta, out);
        out.raw("* " + msn + " FETCH (");
        if (withUid) {
            out.raw("UID " + meta.uid() + " ");
        }
        out.raw("FLAGS ").flags(selected.flags(meta));
        if (condstore) {
            out.raw(" MODSEQ (" + meta.modSeq() + ")");
        }
        out.raw(")").endLine();
    }

    /** The sequence set's UIDs: message sequence numbers strictly checked, UIDs within the known ones. */
    UidSet resolve(SequenceSet set, boolean uid) throws ImapException {
        if (set.saved()) {
            return selected.index.within(savedSearch);
        }
        return uid ? selected.index.fromUids(set) : selected.index.fromMsns(set, true);
    }

    // ---- CommandParser.Context

    @Override
    public boolean utf8() {
        return out.utf8();
    }

    @Override
    public SearchParser.Messages messages() {
        SelectedMailbox mailbox = selected;
        if (mailbox == null) {
            return null;
        }
        return new SearchParser.Messages() {
            @Override
            public UidSet resolve(SequenceSet set, boolean uid) throws ImapException {
                if (set.saved()) {
                    return mailbox.index.within(savedSearch);
                }
                return uid ? mailbox.index.fromUids(set) : mailbox.index.fromMsns(set, false);
            }

            @Override
            public UidSet recent() {
                return mailbox.recent();
            }
        };
    }

    // ---- CommandReader.Input: literals inside commands

    @Override
    public byte[] literal(long length, boolean synchronizing) throws IOException {
        if (synchronizing) {
            out.continuation("Ready for literal data");
        }
        try (InputStream in = connection.readCounted(length)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void skip(long length) throws IOException {
        connection.readCounted(length).close();
    }

    @Override
    public byte[] line() throws IOException {
        return connection.readLine().bytes();
    }

    // ---- ProtocolSession

    @Override
    public void connected() throws IOException {
        connection.setIdleTimeout(settings().loginTimeout());
        out.untagged("OK [CAPABILITY " + capabilities() + "] Posthorn IMAP server ready");
    }

    @Override
    public void lineReceived(Line line) throws IOException {
        if (idleTag != null) {
            endIdle(line);
            return;
        }
        CommandReader reader = new CommandReader(line.bytes(), this, settings().maxCommandSize());
        String tag = null;
        String name = null;
        try {
            tag = reader.tag();
            currentTag = tag;
            reader.sp();
            name = reader.keyword();
            if (!CommandParser.isKnown(name)) {
                throw ImapException.bad("Unknown command " + name);
            }
            if (!CommandParser.allowedIn(name, state)) {
                throw ImapException.bad(state == State.NOT_AUTHENTICATED ? "Log in first"
                        : "Command " + name + " is not valid in this state");
            }
            Command command = CommandParser.parse(name, reader, this);
            Completion completion = execute(tag, command, reader);
            badCommands = 0;
            if (completion != Completion.SENT) {
                sendUpdates(expungesAllowedAfter(command));
                out.tagged(tag, "OK", completion.code(), completion.text());
            }
        } catch (ImapException e) {
            fail(reader, tag, e);
        } catch (LineTooLongException e) {
            fail(null, tag, ImapException.bad("TOOBIG", "Line too long"));
        } catch (StoreException e) {
            fail(reader, tag, StoreErrors.of(e));
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("IMAP command {} failed", name, e);
            fail(reader, tag, ImapException.no("SERVERBUG", "Internal server error, the failure has been logged"));
        }
    }

    private void fail(CommandReader reader, String tag, ImapException e) throws IOException {
        if (reader != null) {
            reader.discardRest();
        }
        if (!e.isBad() && tag != null) {
            sendUpdates(false);
        }
        out.tagged(tag == null ? "*" : tag, e.isBad() ? "BAD" : "NO", e.code(), e.getMessage());
        if (e.isBad() && ++badCommands >= settings().maxBadCommands()) {
            out.untagged("BYE Too many invalid commands");
            connection.close();
        }
    }

    /** RFC 9051 §7.5.1: no EXPUNGE while responding to FETCH, STORE or SEARCH (their UID forms may). */
    private static boolean expungesAllowedAfter(Command command) {
        if (command instanceof Command.Fetch f) {
            return f.uid();
        }
        if (command instanceof Command.Store s) {
            return s.uid();
        }
        if (command instanceof Command.Search s) {
            return s.uid();
        }
        if (command instanceof Command.Sort s) {
            // RFC 5256 §4: as SEARCH
            return s.uid();
        }
        if (command instanceof Command.Threading t) {
            return t.uid();
        }
        return true;
    }

    /** Brings the client up to date with the selected mailbox; store trouble only postpones it. */
    void sendUpdates(boolean expungesAllowed) throws IOException {
        SelectedMailbox mailbox = selected;
        if (mailbox == null || state != State.SELECTED) {
            return;
        }
        if (mailbox.deleted) {
            out.untagged("BYE Selected mailbox was deleted");
            connection.close();
            select(null);
            return;
        }
        if (!mailbox.needsSync(latestModSeq(mailbox.id), expungesAllowed)) {
            return;
        }
        MailboxStore store = service.store();
        if (store == null) {
            return;
        }
        try {
            mailbox.sync(store, account, this, expungesAllowed);
        } catch (StoreException e) {
            LOG.debug("Mailbox updates postponed: {}", e.getMessage());
        }
    }

    @Override
    public void lineTooLong() throws IOException {
        out.untagged("BAD [TOOBIG] Line too long");
    }

    @Override
    public void tooManyConnections(Rejection reason) throws IOException {
        out.untagged("BYE [UNAVAILABLE] " + (reason == Rejection.TOO_MANY_FROM_ADDRESS
                ? "Too many connections from your address" : "Too many connections"));
    }

    @Override
    public void idleTimeout() throws IOException {
        out.untagged("BYE Autologout; idle for too long");
    }

    @Override
    public void shuttingDown() throws IOException {
        out.untagged("BYE Server shutting down");
    }

    @Override
    public void closed() {
        service.idling(this, false);
        if (account != null) {
            service.unregister(account, this);
        }
        selected = null;
    }

    /** Called by the event thread for every change of this account's mailboxes. */
    void mailboxChanged(MailboxEvent event) {
        latestModSeq.merge(event.mailboxId(), event.modSeq(), Math::max);
        SelectedMailbox mailbox = selected;
        if (mailbox == null || mailbox.id != event.mailboxId()) {
            return;
        }
        if (event.kind() == MailboxEvent.Kind.RENAMED) {
            mailbox.name = event.newName();
        } else if (event.kind() == MailboxEvent.Kind.DELETED) {
            mailbox.deleted = true;
        }
        if (idleTag != null) {
            connection.execute(this::pushUpdates);
        }
    }

    /** Called by the keep-alive timer while in IDLE: a line the client ignores keeps NATs from forgetting us. */
    void keepAlive() {
        connection.execute(() -> {
            if (idleTag != null) {
                try {
                    out.untagged("OK Still here");
                } catch (IOException e) {
                    connection.close();
                }
            }
        });
    }

    /** RFC 2177: while IDLE, changes go out as they happen. */
    private void pushUpdates() {
        if (idleTag == null) {
            return;
        }
        try {
            sendUpdates(true);
        } catch (IOException e) {
            connection.close();
        } catch (RuntimeException e) {
            LOG.error("IMAP update while idling failed", e);
        }
    }

    // ---- dispatch

    private Completion execute(String tag, Command command, CommandReader reader)
            throws ImapException, StoreException, IOException {
        if (command instanceof Command.Capability) {
            out.untagged("CAPABILITY " + capabilities());
            return Completion.ok("CAPABILITY completed");
        }
        if (command instanceof Command.Noop) {
            if (selected != null) {
                // a client polls with NOOP: it sees what committed before, even if the store's event is still on its way
                selected.markDirty();
            }
            return Completion.ok("NOOP completed");
        }
        if (command instanceof Command.Logout) {
            out.untagged("BYE Logging out");
            out.tagged(tag, "OK", null, "LOGOUT completed");
            state = State.LOGOUT;
            connection.close();
            return Completion.SENT;
        }
        if (command instanceof Command.StartTls) {
            return startTls(tag);
        }
        if (command instanceof Command.Login login) {
            return login(login.user(), login.password());
        }
        if (command instanceof Command.Authenticate authenticate) {
            return authenticate(authenticate);
        }
        if (command instanceof Command.Id) {
            out.untagged("ID (\"name\" \"Posthorn\" \"vendor\" \"Posthorn\")");
            return Completion.ok("ID completed");
        }
        if (command instanceof Command.Enable enable) {
            return enable(enable.capabilities());
        }
        if (command instanceof Command.Namespace) {
            out.untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
            return Completion.ok("NAMESPACE completed");
        }
        if (command instanceof Command.Idle) {
            idleTag = tag;
            service.idling(this, true);
            out.continuation("idling");
            sendUpdates(true);
            return Completion.SENT;
        }
        if (command instanceof Command.Fetch fetch) {
            return fetchCommand.execute(fetch);
        }
        Completion done = selectedCommands.execute(command);
        if (done == null) {
            done = sortCommands.execute(command);
        }
        if (done == null) {
            done = mailboxCommands.execute(command, reader);
        }
        if (done == null) {
            throw new IllegalStateException("no handler for " + command);
        }
        return done;
    }

    private void endIdle(Line line) throws IOException {
        String tag = idleTag;
        idleTag = null;
        service.idling(this, false);
        if (line.text().strip().equalsIgnoreCase("DONE")) {
            sendUpdates(true);
            out.tagged(tag, "OK", null, "IDLE terminated");
        } else {
            out.tagged(tag, "BAD", null, "Expected DONE");
        }
    }

    // ---- session commands

    /** The capabilities in the current state (RFC 9051 §6.1.1). */
    String capabilities() {
        StringBuilder sb = new StringBuilder("IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE");
        if (state == State.NOT_AUTHENTICATED) {
            if (connection.tlsAvailable()) {
                sb.append(" STARTTLS");
            }
            sb.append(loginAllowed() ? " AUTH=PLAIN" : " LOGINDISABLED");
        }
        sb.append(" NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED"
                + " LIST-STATUS CONDSTORE QRESYNC ESEARCH BINARY UTF8=ACCEPT QUOTA QUOTA=RES-STORAGE"
                + " QUOTA=RES-MESSAGE STATUS=SIZE SEARCHRES SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT"
                + " THREAD=REFERENCES MULTIAPPEND APPENDLIMIT=").append(settings().maxMessageSize());
        return sb.toString();
    }

    private boolean loginAllowed() {
        return connection.tlsActive() || settings().plaintextLoginAllowed();
    }

    private Completion startTls(String tag) throws ImapException, IOException {
        if (connection.tlsActive()) {
            throw ImapException.bad("TLS is already active");
        }
        if (connection.listener().tls() != TlsMode.STARTTLS) {
            throw ImapException.bad("STARTTLS is not offered on this port");
        }
        if (!connection.startTls(tag + " OK Begin TLS negotiation now")) {
            throw ImapException.no("UNAVAILABLE", "TLS is not available right now");
        }
        return Completion.SENT;
    }

    private Completion login(String user, String password) throws ImapException {
        if (!loginAllowed()) {
            throw ImapException.no("PRIVACYREQUIRED", "Plaintext login is disabled; use STARTTLS first");
        }
        return authenticated(user, password.toCharArray());
    }

    private Completion authenticated(String user, char[] password) throws ImapException {
        UserDirectory users = service.users();
        if (users == null) {
            throw ImapException.no("UNAVAILABLE", "User directory is not available, try again later");
        }
        Optional<Account> found;
        try {
            found = users.authenticate(user, password);
        } catch (DirectoryUnavailableException e) {
            throw ImapException.no("UNAVAILABLE", "User directory is not available, try again later");
        }
        if (found.isEmpty()) {
            LOG.info("IMAP login failed for {}", user);
            throw ImapException.no("AUTHENTICATIONFAILED", "Authentication failed");
        }
        account = found.get().name();
        state = State.AUTHENTICATED;
        connection.setIdleTimeout(settings().server().idleTimeout());
        service.register(account, this);
        LOG.info("IMAP login of {}", account);
        return Completion.ok("CAPABILITY " + capabilities(), "Logged in");
    }

    /** AUTHENTICATE PLAIN (RFC 4616) with an optional initial response (RFC 4959). */
    private Completion authenticate(Command.Authenticate command) throws ImapException, IOException {
        if (!command.mechanism().equals("PLAIN")) {
            throw ImapException.no("CANNOT", "Unsupported authentication mechanism");
        }
        if (!loginAllowed()) {
            throw ImapException.no("PRIVACYREQUIRED", "Plaintext authentication is disabled; use STARTTLS first");
        }
        String response = command.initialResponse();
        if (response == null) {
            out.continuation("");
            response = connection.readLine().text().strip();
        }
        if (response.equals("*")) {
            throw ImapException.bad("Authentication cancelled");
        }
        byte[] decoded;
        try {
            decoded = response.equals("=") ? new byte[0] : Base64.getDecoder().decode(response);
        } catch (IllegalArgumentException e) {
            throw ImapException.bad("Invalid base64 in the authentication response");
        }
        List<String> parts = splitNul(decoded);
        if (parts.size() != 3) {
            throw ImapException.bad("Invalid PLAIN response");
        }
        String authzid = parts.get(0);
        String authcid = parts.get(1);
        if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
            throw ImapException.no("AUTHORIZATIONFAILED", "Acting as another user is not allowed");
        }
        return authenticated(authcid, parts.get(2).toCharArray());
    }

    private static List<String> splitNul(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return parts;
    }

    /** RFC 5161; unknown capabilities are ignored, as the RFC asks. */
    private Completion enable(List<String> capabilities) throws IOException {
        List<String> enabled = new ArrayList<>();
        for (String capability : capabilities) {
            switch (capability) {
                case "CONDSTORE" -> {
                    condstore = true;
                    enabled.add(capability);
                }
                case "QRESYNC" -> {
                    condstore = true;
                    qresync = true;
                    enabled.add(capability);
                }
                case "UTF8=ACCEPT" -> {
                    out.utf8(true);
                    enabled.add(capability);
                }
                case "IMAP4REV2" -> {
                    // RFC 9051 §6.3.1; mailbox names are UTF-8 in IMAP4rev2 (§5.1)
                    rev2 = true;
                    out.utf8(true);
                    enabled.add("IMAP4rev2");
                }
                default -> {
                    // RFC 5161 §3.1: not known, not enabled
                }
            }
        }
        out.untagged("ENABLED" + (enabled.isEmpty() ? "" : " " + String.join(" ", enabled)));
        return Completion.ok("ENABLE completed");
    }
}
