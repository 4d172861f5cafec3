package org.posthorn.pop3.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.StoredContent;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.Connection;
import org.posthorn.net.Line;
import org.posthorn.net.LineTooLongException;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.Rejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP3 connection: the AUTHORIZATION and TRANSACTION states of RFC 1939, and the UPDATE
 * state, which only QUIT enters. Deletions are marks until then: a dropped connection, an idle
 * timeout or a server shutdown leaves the maildrop as it was.
 *
 * <p>Callbacks run one at a time on the connection's thread (see {@link Connection}), so the
 * state needs no locking.
 */
final class Pop3Session implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Session.class);
    private static final String INBOX = "INBOX";
    private static final int PREFETCH = 32;
    // compiled once: String.matches would compile them for every RETR and DELE
    private static final Pattern MESSAGE_NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern LINE_COUNT = Pattern.compile("[0-9]{1,18}");

    private enum State { AUTHORIZATION, TRANSACTION }

    private final Connection connection;
    private final PostOffice office;
    private State state = State.AUTHORIZATION;
    private String user;
    private String account;
    private Maildrop maildrop;
    private MaildropLocks.Lock lock;
    private int errors;
    /** Writes RETR and TOP responses; made at the first one, with its buffer, and reused. */
    private MultiLineMessage message;

    Pop3Session(Connection connection, PostOffice office) {
        this.connection = connection;
        this.office = office;
    }

    @Override
    public void connected() throws IOException {
        connection.writeLine("+OK POP3 server ready");
    }

    @Override
    public void lineReceived(Line line) throws IOException {
        Request request = Request.parse(line.text());
        Command command = Command.of(request.keyword());
        if (command == null) {
            error(request.keyword().isBlank() ? "Empty command"
                    : "Unknown command " + Request.printable(request.keyword(), 20));
            return;
        }
        if (state == State.AUTHORIZATION && !command.beforeLogin()) {
            error(command + " is valid only after login (USER and PASS, or AUTH PLAIN)");
            return;
        }
        if (state == State.TRANSACTION && !command.afterLogin()) {
            error(command + " is not valid after login");
            return;
        }
        switch (command) {
            case CAPA -> capa(request);
            case USER -> user(request);
            case PASS -> pass(request);
            case AUTH -> auth(request);
            case APOP -> error("APOP is not supported; log in with USER and PASS, or AUTH PLAIN");
            case STLS -> stls(request);
            case QUIT -> quit(request);
            case STAT -> stat(request);
            case LIST -> listing(request, false);
            case UIDL -> listing(request, true);
            case RETR -> retr(request);
            case TOP -> top(request);
            case DELE -> dele(request);
            case NOOP -> noop(request);
            case RSET -> rset(request);
        }
    }

    // ---- AUTHORIZATION

    private void capa(Request request) throws IOException {
        if (arguments(request, 0, 0, "CAPA") == null) {
            return;
        }
        Pop3Settings settings = office.settings();
        connection.writeLine("+OK Capability list follows");
        connection.writeLine("TOP");
        connection.writeLine("UIDL");
        if (state == State.AUTHORIZATION && loginAllowedNow()) {
            connection.writeLine("USER");
            connection.writeLine("SASL PLAIN");
        }
        connection.writeLine("RESP-CODES");
        connection.writeLine("AUTH-RESP-CODE");
        connection.writeLine("PIPELINING");
        if (state == State.AUTHORIZATION && connection.tlsAvailable()) {
            connection.writeLine("STLS");
        }
        if (settings.loginDelaySeconds() >= 0) {
            connection.writeLine("LOGIN-DELAY " + settings.loginDelaySeconds());
        }
        if (settings.expire() != null) {
            connection.writeLine("EXPIRE " + settings.expire());
        }
        connection.writeLine("IMPLEMENTATION Posthorn");
        connection.writeLine(".");
    }

    private void user(Request request) throws IOException {
        user = null;
        if (!loginAllowedNow()) {
            refusePlaintext();
            return;
        }
        String name = request.rest().strip();
        if (name.isEmpty()) {
            error("USER needs a user name");
            return;
        }
        user = name;
        connection.writeLine("+OK Send your password with PASS");
    }

    private void pass(Request request) throws IOException {
        if (user == null) {
            error("Send USER first");
            return;
        }
        String login = user;
        user = null;
        // RFC 1939 §7: PASS has exactly one argument, so spaces in it belong to the password
        login(login, request.rest().toCharArray());
    }

    private void auth(Request request) throws IOException {
        user = null;
        List<String> arguments = request.arguments();
        if (arguments.isEmpty()) {
            // the mechanism listing of RFC 1734 §2, which some clients still probe with
            connection.writeLine("+OK SASL mechanisms follow");
            if (loginAllowedNow()) {
                connection.writeLine("PLAIN");
            }
            connection.writeLine(".");
            return;
        }
        if (arguments.size() > 2) {
            error("Usage: AUTH mechanism [initial-response]");
            return;
        }
        if (!arguments.get(0).equalsIgnoreCase("PLAIN")) {
            error("Unsupported SASL mechanism " + Request.printable(arguments.get(0), 20) + "; use PLAIN");
            return;
        }
        if (!loginAllowedNow()) {
            refusePlaintext();
            return;
        }
        String response;
        if (arguments.size() == 2) {
            response = arguments.get(1);
        } else {
            connection.writeLine("+ ");
            try {
                response = connection.readLine().text().strip();
            } catch (LineTooLongException e) {
                error("Authentication response too long");
                return;
            }
        }
        if (response.equals("*")) {
            // RFC 5034 §4: the client cancelled the exchange
            connection.writeLine("-ERR Authentication cancelled");
            return;
        }
        PlainCredentials credentials;
        try {
            credentials = PlainCredentials.decode(response);
        } catch (PlainCredentials.MalformedException e) {
            error(e.getMessage());
            return;
        }
        if (credentials.actsForSomeoneElse()) {
            Arrays.fill(credentials.password(), '\0');
            connection.writeLine("-ERR [AUTH] Logging in as another user (an authorization identity) is not supported");
            return;
        }
        login(credentials.login(), credentials.password());
    }

    private void stls(Request request) throws IOException {
        if (arguments(request, 0, 0, "STLS") == null) {
            return;
        }
        if (connection.tlsActive()) {
            error("TLS is already active");
        } else if (!connection.tlsAvailable() || !connection.startTls("+OK Begin TLS negotiation")) {
            connection.writeLine("-ERR [SYS/TEMP] TLS is not available right now; try again later");
        } else {
            user = null; // RFC 2595 §4: forget what the client said before TLS
        }
    }

    private boolean loginAllowedNow() {
        return office.settings().plaintextAllowed() || connection.tlsActive();
    }

    private void refusePlaintext() throws IOException {
        connection.writeLine("-ERR [AUTH] Plaintext login is not allowed before TLS; "
                + (connection.tlsAvailable() ? "use STLS first" : "connect to the POP3S port (TLS) instead"));
    }

    /** Checks the password; on success locks and opens the maildrop. Wipes {@code password}. */
    private void login(String login, char[] password) throws IOException {
        InetAddress address = connection.remoteAddress().getAddress();
        Optional<Account> found;
        try {
            if (office.throttle().isBlocked(address)) {
                connection.writeLine("-ERR [SYS/TEMP] Too many failed logins from your address; try again later");
                connection.close();
                return;
            }
            Optional<UserDirectory> users = office.users();
            if (users.isEmpty()) {
                connection.writeLine("-ERR [SYS/TEMP] Logins are not possible right now (the user directory is"
                        + " unavailable); try again later");
                return;
            }
            found = users.get().authenticate(login, password);
        } catch (DirectoryUnavailableException e) {
            LOG.warn("POP3 login of '{}' not checked: {}", Request.printable(login, 100), e.getMessage());
            connection.writeLine("-ERR [SYS/TEMP] Logins are not possible right now; try again later");
            return;
        } finally {
            Arrays.fill(password, '\0');
        }
        if (found.isEmpty()) {
            loginFailed(login, address);
        } else {
            open(found.get().name());
        }
    }

    private void loginFailed(String login, InetAddress address) throws IOException {
        boolean blocked = office.throttle().recordFailure(address);
        LOG.info("POP3 login failed for '{}'{}", Request.printable(login, 100),
                blocked ? "; too many failures, the address is refused for a while" : "");
        Duration delay = office.settings().authFailureDelay();
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while delaying a failed login");
            }
        }
        if (blocked) {
            connection.writeLine("-ERR [SYS/TEMP] Too many failed logins; try again later");
            connection.close();
        } else {
            connection.writeLine("-ERR [AUTH] Invalid login or password");
        }
    }

    /** Locks the maildrop and takes the INBOX snapshot the session works on. */
    private void open(String name) throws IOException {
        Pop3Settings settings = office.settings();
        MaildropLocks.Attempt attempt = office.locks().acquire(name,
                settings.loginDelaySeconds() > 0 ? Duration.ofSeconds(settings.loginDelaySeconds()) : null);
        if (attempt.refusal() == MaildropLocks.Refusal.IN_USE) {
            LOG.info("POP3 login of {} refused: the maildrop is in use", name);
            connection.writeLine("-ERR [IN-USE] Your maildrop is in use by another POP3 session; try again later");
            return;
        }
        if (attempt.refusal() == MaildropLocks.Refusal.LOGIN_DELAY) {
            connection.writeLine("-ERR [LOGIN-DELAY] Log in at most once every " + settings.loginDelaySeconds()
                    + " seconds");
            return;
        }
        Optional<MailboxStore> store = office.store();
        if (store.isEmpty()) {
            attempt.lock().release();
            storeUnavailable();
            return;
        }
        try {
            maildrop = snapshot(store.get(), name);
        } catch (StoreException e) {
            attempt.lock().release();
            storeFailed("open the maildrop of " + name, e);
            return;
        }
        lock = attempt.lock();
        account = name;
        state = State.TRANSACTION;
        LOG.info("POP3 login of {}: {} messages", name, maildrop.count());
        connection.writeLine("+OK Logged in; " + maildrop.count() + " messages (" + maildrop.size() + " octets)");
    }

    /** The INBOX at this moment: {@code select} for a consistent UID list, then the sizes of those UIDs. */
    private static Maildrop snapshot(MailboxStore store, String account) throws StoreException {
        MailboxSnapshot snapshot = store.select(account, INBOX, true);
        long[] uids = snapshot.uids().toArray();
        if (uids.length == 0) {
            return Maildrop.of(snapshot.status().uidValidity(), List.of());
        }
        // one range rather than the snapshot's UID set: later deliveries lie above it, and the
        // filter below drops what was expunged in between without a scan per message
        List<MessageMeta> metas = store.messages(account, INBOX,
                UidSet.of(List.of(new UidSet.Range(uids[0], uids[uids.length - 1]))));
        return Maildrop.of(snapshot.status().uidValidity(),
                metas.stream().filter(m -> Arrays.binarySearch(uids, m.uid()) >= 0).toList());
    }

    // ---- TRANSACTION

    private void stat(Request request) throws IOException {
        if (arguments(request, 0, 0, "STAT") != null) {
            connection.writeLine("+OK " + maildrop.count() + " " + maildrop.size());
        }
    }

    /** LIST and UIDL: all messages not marked deleted, or one. */
    private void listing(Request request, boolean uniqueIds) throws IOException {
        List<String> arguments = arguments(request, 0, 1, uniqueIds ? "UIDL [message]" : "LIST [message]");
        if (arguments == null) {
            return;
        }
        if (arguments.size() == 1) {
            int number = messageNumber(arguments.get(0));
            if (number > 0) {
                connection.writeLine(listingOf(new StringBuilder("+OK "), number, uniqueIds).toString());
            }
            return;
        }
        connection.writeLine(uniqueIds ? "+OK Unique-id listing follows"
                : "+OK " + maildrop.count() + " messages (" + maildrop.size() + " octets)");
        // the whole listing as one write rather than a line at a time
        StringBuilder lines = new StringBuilder(24 * maildrop.count() + 3);
        for (int number = 1; number <= maildrop.highestNumber(); number++) {
            if (!maildrop.isDeleted(number)) {
                listingOf(lines, number, uniqueIds).append("\r\n");
            }
        }
        connection.write(lines.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Appends "number size" (LIST) or "number unique-id" (UIDL). */
    private StringBuilder listingOf(StringBuilder text, int number, boolean uniqueId) {
        text.append(number).append(' ');
        return uniqueId ? maildrop.appendUniqueId(text, number) : text.append(maildrop.size(number));
    }

    private void retr(Request request) throws IOException {
        List<String> arguments = arguments(request, 1, 1, "RETR message");
        int number = arguments == null ? 0 : messageNumber(arguments.get(0));
        if (number > 0) {
            send(number, -1, "+OK " + maildrop.size(number) + " octets");
        }
    }

    private void top(Request request) throws IOException {
        List<String> arguments = arguments(request, 2, 2, "TOP message lines");
        int number = arguments == null ? 0 : messageNumber(arguments.get(0));
        if (number == 0) {
            return;
        }
        if (!LINE_COUNT.matcher(arguments.get(1)).matches()) {
            error("The number of lines must be a non-negative number: " + Request.printable(arguments.get(1), 20));
            return;
        }
        send(number, Long.parseLong(arguments.get(1)), "+OK Top of message follows");
    }

    /** RETR ({@code bodyLines < 0}) or TOP: streams the message from the store, byte-stuffed. */
    private void send(int number, long bodyLines, String okReply) throws IOException {
        Optional<MailboxStore> store = office.store();
        if (store.isEmpty()) {
            storeUnavailable();
            return;
        }
        InputStream raw;
        try {
            raw = content(store.get(), number).openStream();
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.NO_SUCH_MESSAGE) {
                error("Message " + number + " was removed by another session since you logged in");
            } else {
                storeFailed("read message " + maildrop.uid(number) + " of " + account, e);
            }
            return;
        } catch (IOException e) {
            // expunged elsewhere and purged between the lookup and the read
            LOG.info("POP3: message {} of {} is gone: {}", maildrop.uid(number), account, e.getMessage());
            error("Message " + number + " was removed by another session since you logged in");
            return;
        }
        if (message == null) {
            message = new MultiLineMessage();
        }
        // the reply line, the message and the final dot share the connection's output buffer:
        // a small message leaves in one write
        try (raw) {
            connection.writeLine(okReply);
            if (bodyLines < 0) {
                message.whole(raw, connection::write);
            } else {
                message.top(raw, bodyLines, connection::write);
            }
        } catch (MultiLineMessage.UnreadableSourceException e) {
            // the reply has begun; ending the connection is the only way to tell the client it is incomplete
            LOG.warn("POP3: message {} of {} could not be read to the end; closing the connection: {}",
                    maildrop.uid(number), account, e.getMessage());
            connection.close();
            return;
        }
        connection.writeLine(".");
    }

    /**
     * The raw bytes of a message. Clients read messages in order, so one store query fetches the
     * handles of the next {@link #PREFETCH} messages (not their bytes), and the next RETR or TOP
     * only opens its stream.
     */
    private StoredContent content(MailboxStore store, int number) throws StoreException {
        StoredContent content = maildrop.content(number);
        if (content == null) {
            List<Long> uids = new ArrayList<>();
            for (int n = number; n <= maildrop.highestNumber() && uids.size() < PREFETCH; n++) {
                if (!maildrop.isDeleted(n) && maildrop.content(n) == null) {
                    uids.add(maildrop.uid(n));
                }
            }
            for (StoredMessage message : store.fetch(account, INBOX,
                    UidSet.ofUids(uids.stream().mapToLong(Long::longValue).toArray()))) {
                maildrop.content(message.meta().uid(), message.source());
            }
            content = maildrop.content(number);
        }
        if (content == null) {
            throw new StoreException(StoreException.Reason.NO_SUCH_MESSAGE, "no message with UID " + maildrop.uid(number));
        }
        return content;
    }

    private void dele(Request request) throws IOException {
        List<String> arguments = arguments(request, 1, 1, "DELE message");
        int number = arguments == null ? 0 : messageNumber(arguments.get(0));
        if (number > 0) {
            maildrop.delete(number);
            connection.writeLine("+OK Message " + number + " deleted");
        }
    }

    private void noop(Request request) throws IOException {
        if (arguments(request, 0, 0, "NOOP") != null) {
            connection.writeLine("+OK");
        }
    }

    private void rset(Request request) throws IOException {
        if (arguments(request, 0, 0, "RSET") != null) {
            maildrop.reset();
            connection.writeLine("+OK " + maildrop.count() + " messages (" + maildrop.size() + " octets)");
        }
    }

    // ---- UPDATE

    private void quit(Request request) throws IOException {
        if (arguments(request, 0, 0, "QUIT") == null) {
            return;
        }
        if (state == State.AUTHORIZATION) {
            connection.writeLine("+OK Bye");
            connection.close();
            return;
        }
        UidSet marked = maildrop.deletedUids();
        String failure = marked.isEmpty() ? null : update(marked);
        release();
        if (failure == null) {
            connection.writeLine("+OK Bye; " + maildrop.count() + " messages left");
        } else {
            // RFC 1939 §6
            connection.writeLine("-ERR [SYS/TEMP] Some deleted messages not removed: " + failure);
        }
        connection.close();
    }

    /** Applies the DELE marks; returns null or why it failed. */
    private String update(UidSet marked) {
        Optional<MailboxStore> found = office.store();
        if (found.isEmpty()) {
            LOG.warn("POP3: {} messages of {} not deleted: the mail store is unavailable", marked.size(), account);
            return "the mail store is unavailable";
        }
        MailboxStore store = found.get();
        DeleteAction action = office.settings().deleteAction();
        try {
            if (action == DeleteAction.TRASH) {
                String trash = trash(store);
                int moved = store.move(account, INBOX, marked, trash).sourceUids().size();
                LOG.info("POP3: {} moved {} messages to {}", account, moved, trash);
            } else {
                // one transaction; messages IMAP expunged meanwhile are skipped
                UidSet removed = store.remove(account, INBOX, marked);
                LOG.info("POP3: {} deleted {} messages", account, removed.size());
            }
            return null;
        } catch (StoreException e) {
            LOG.warn("POP3: messages {} of {} not deleted: {}", marked, account, e.getMessage());
            return e.isTemporary() ? "the mail store is unavailable" : e.getMessage();
        }
    }

    /** The account's Trash: the mailbox with SPECIAL-USE \Trash, or a new "Trash". */
    private String trash(MailboxStore store) throws StoreException {
        for (MailboxInfo mailbox : store.mailboxes(account)) {
            if (mailbox.specialUse().contains(SpecialUse.TRASH)) {
                return mailbox.name();
            }
        }
        try {
            return store.create(account, "Trash", Set.of(SpecialUse.TRASH)).name();
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.ALREADY_EXISTS) {
                return "Trash";
            }
            throw e;
        }
    }

    // ---- helpers

    /** The arguments if there are {@code min} to {@code max}; otherwise replies with the usage and returns null. */
    private List<String> arguments(Request request, int min, int max, String usage) throws IOException {
        List<String> arguments = request.arguments();
        if (arguments.size() < min || arguments.size() > max) {
            error(max == 0 ? usage + " takes no arguments" : "Usage: " + usage);
            return null;
        }
        return arguments;
    }

    /** The number of a message that exists and is not marked deleted; otherwise replies and returns 0. */
    private int messageNumber(String argument) throws IOException {
        if (!MESSAGE_NUMBER.matcher(argument).matches()) {
            error("Invalid message number " + Request.printable(argument, 20));
            return 0;
        }
        int number = Integer.parseInt(argument);
        if (!maildrop.exists(number)) {
            error("No such message: " + number + " (there are " + maildrop.highestNumber() + ")");
            return 0;
        }
        if (maildrop.isDeleted(number)) {
            error("Message " + number + " is already deleted");
            return 0;
        }
        return number;
    }

    private void storeUnavailable() throws IOException {
        connection.writeLine("-ERR [SYS/TEMP] The mail store is unavailable; try again later");
    }

    private void storeFailed(String what, StoreException e) throws IOException {
        LOG.warn("POP3: could not {}: {}", what, e.getMessage());
        if (e.isTemporary()) {
            storeUnavailable();
        } else {
            connection.writeLine("-ERR [SYS/PERM] " + Request.printable(e.getMessage(), 200));
        }
    }

    /** A protocol error: {@code -ERR text}; too many of them end the session. */
    private void error(String text) throws IOException {
        if (++errors >= office.settings().maxErrors()) {
            connection.writeLine("-ERR " + text + "; too many errors, closing the connection");
            connection.close();
        } else {
            connection.writeLine("-ERR " + text);
        }
    }

    private void release() {
        if (lock != null) {
            lock.release();
            lock = null;
        }
    }

    @Override
    public void lineTooLong() throws IOException {
        error("Line too long");
    }

    @Override
    public void tooManyConnections(Rejection reason) throws IOException {
        connection.writeLine("-ERR [SYS/TEMP] Too many connections"
                + (reason == Rejection.TOO_MANY_FROM_ADDRESS ? " from your address" : "") + "; try again later");
    }

    @Override
    public void idleTimeout() throws IOException {
        // RFC 1939 §3: an autologout timer ends the session without entering the UPDATE state
        connection.writeLine("-ERR Autologout: idle for too long; nothing was deleted");
    }

    @Override
    public void shuttingDown() throws IOException {
        connection.writeLine("-ERR [SYS/TEMP] Server shutting down; nothing was deleted, try again later");
    }

    @Override
    public void closed() {
        release();
    }
}
