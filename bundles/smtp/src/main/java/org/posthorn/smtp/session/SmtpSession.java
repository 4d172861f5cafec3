package org.posthorn.smtp.session;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Origin;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.queue.QueuedMessage;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.QuotaUsage;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.BareLineEndingException;
import org.posthorn.net.BareLineEndings;
import org.posthorn.net.Connection;
import org.posthorn.net.Line;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.Rejection;
import org.posthorn.net.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection's state machine (RFC 5321), with the ESMTP extensions this server
 * offers. Every reply but the greeting and the HELO/EHLO answers carries an enhanced status code
 * (RFC 2034 §3 exempts those). Runs on the connection's thread, one command at a time.
 */
final class SmtpSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);

    /** RFC 3461 §4.4: ENVID is at most 100 characters. */
    private static final int MAX_ENVID_LENGTH = 100;

    private final Connection connection;
    private final SmtpReceiver receiver;
    private final ListenerRole role;

    /** The HELO/EHLO name, or {@code null} before the client introduced itself (or after STARTTLS). */
    private String heloName;
    /** The client's forward-confirmed reverse-DNS name, being looked up. */
    private ClientName clientName = ClientName.UNKNOWN;
    private boolean extended;
    private Account account;
    private Transaction transaction;
    private int errors;
    private int transactions;

    SmtpSession(Connection connection, SmtpReceiver receiver) {
        this.connection = connection;
        this.receiver = receiver;
        this.role = ListenerRole.of(connection.listener().name());
    }

    private SmtpSettings settings() {
        return receiver.settings();
    }

    private InetAddress clientAddress() {
        return connection.remoteAddress().getAddress();
    }

    // ------------------------------------------------------------------ connection events

    @Override
    public void connected() throws IOException {
        clientName = receiver.lookUpName(clientAddress());
        connection.setIdleTimeout(settings().commandTimeout());
        connection.writeLine("220 " + settings().hostName() + " ESMTP Posthorn");
    }

    @Override
    public void lineReceived(Line line) throws IOException {
        if (line.endedWithBareLf()) {
            // RFC 5321 §2.3.8: lines end with CR LF, commands too
            reply("500 5.5.2 Command lines must end with CR LF");
            return;
        }
        String text = line.text();
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1);
        LOG.debug("C: {}", verb.equals("AUTH") ? "AUTH " + argument.split(" ", 2)[0] : text);
        switch (verb) {
            case "EHLO" -> hello(argument, true);
            case "HELO" -> hello(argument, false);
            case "STARTTLS" -> startTls(argument);
            case "AUTH" -> auth(argument);
            case "MAIL" -> mail(argument);
            case "RCPT" -> rcpt(argument);
            case "DATA" -> data(argument);
            case "BDAT" -> bdat(argument);
            case "RSET" -> {
                transaction = null;
                reply("250 2.0.0 Ok");
            }
            case "NOOP" -> reply("250 2.0.0 Ok");
            case "VRFY" -> vrfy(argument);
            case "EXPN" -> reply("502 5.5.1 EXPN is not available");
            case "HELP" -> help();
            case "QUIT" -> {
                reply("221 2.0.0 Bye");
                connection.close();
            }
            case "" -> reply("500 5.5.2 Empty command");
            default -> reply("500 5.5.1 Command unrecognized");
        }
    }

    @Override
    public void lineTooLong() throws IOException {
        // RFC 5321 §4.5.3.1.4
        reply("500 5.5.2 Line too long");
    }

    @Override
    public void tooManyConnections(Rejection reason) throws IOException {
        connection.writeLine(reason == Rejection.TOO_MANY_FROM_ADDRESS
                ? "421 4.7.0 Too many connections from your address; try again later"
                : "421 4.7.0 Too many connections; try again later");
    }

    @Override
    public void idleTimeout() throws IOException {
        connection.writeLine("421 4.4.2 " + settings().hostName() + " Timeout waiting for input; closing connection");
    }

    @Override
    public void shuttingDown() throws IOException {
        connection.writeLine("421 4.3.2 " + settings().hostName() + " Service shutting down; try again later");
    }

    /**
     * Sends a reply. A permanent error counts against the client; one error too many ends the
     * session with 421, so a confused or hostile client cannot keep the connection busy.
     */
    private void reply(String line) throws IOException {
        connection.writeLine(line);
        if (line.startsWith("5") && ++errors >= settings().maxErrors()) {
            LOG.info("Closing the session after {} errors", errors);
            connection.writeLine("421 4.7.0 Too many errors; closing connection");
            connection.close();
        }
    }

    // ------------------------------------------------------------------ session commands

    private void hello(String argument, boolean ehlo) throws IOException {
        String name = argument.strip();
        if (name.isEmpty() || name.contains(" ")) {
            reply("501 5.5.4 Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname");
            return;
        }
        // RFC 5321 §4.1.4: EHLO resets the transaction, as RSET does
        heloName = name;
        extended = ehlo;
        transaction = null;
        String greeting = settings().hostName() + " Hello " + ReceivedHeader.clean(name)
                + " [" + clientAddress().getHostAddress() + "]";
        if (!ehlo) {
            connection.writeLine("250 " + greeting);
            return;
        }
        SmtpSettings settings = settings();
        connection.writeLine("250-" + greeting);
        connection.writeLine("250-PIPELINING");
        connection.writeLine("250-SIZE " + settings.maxMessageSize());
        connection.writeLine("250-8BITMIME");
        connection.writeLine("250-SMTPUTF8");
        connection.writeLine("250-ENHANCEDSTATUSCODES");
        connection.writeLine("250-CHUNKING");
        connection.writeLine("250-BINARYMIME");
        connection.writeLine("250-DSN");
        if (connection.tlsAvailable()) {
            connection.writeLine("250-STARTTLS");
        }
        if (authOffered() && account == null) {
            connection.writeLine("250-AUTH " + SaslExchange.MECHANISMS);
        }
        connection.writeLine("250 HELP");
    }

    private boolean authAllowedOnListener() {
        return role.requiresAuth() || settings().mxAuth();
    }

    /** AUTH is offered on this listener, now: submission, or MX if configured; after TLS unless plain text is allowed. */
    private boolean authOffered() {
        return authAllowedOnListener() && (connection.tlsActive() || settings().plaintextAuth());
    }

    private void startTls(String argument) throws IOException {
        if (!argument.isBlank()) {
            reply("501 5.5.4 Syntax: STARTTLS");
        } else if (connection.listener().tls() != TlsMode.STARTTLS || connection.tlsActive()) {
            reply("503 5.5.1 TLS is already active");
        } else if (connection.startTls("220 2.0.0 Ready to start TLS")) {
            // RFC 3207 §4.2: forget everything learned from the client before TLS
            heloName = null;
            extended = false;
            account = null;
            transaction = null;
        } else {
            reply("454 4.7.0 TLS not available due to temporary reason");
        }
    }

    private void auth(String argument) throws IOException {
        if (heloName == null || !extended) {
            reply("503 5.5.1 Send EHLO first");
            return;
        }
        if (!authAllowedOnListener()) {
            reply("503 5.5.1 AUTH is not offered on this port; submit on port 587 or 465");
            return;
        }
        if (!connection.tlsActive() && !settings().plaintextAuth()) {
            // RFC 4954 §6, RFC 6409 §4.3
            reply("538 5.7.11 Encryption required for requested authentication mechanism; use STARTTLS first");
            return;
        }
        if (account != null) {
            reply("503 5.5.1 Already authenticated");
            return;
        }
        if (transaction != null) {
            reply("503 5.5.1 AUTH is not allowed during a mail transaction");
            return;
        }
        if (receiver.throttle().isBlocked(clientAddress())) {
            LOG.info("AUTH refused: too many recent failures from {}", clientAddress().getHostAddress());
            connection.writeLine("421 4.7.0 Too many failed authentications; try again later");
            connection.close();
            return;
        }
        Optional<UserDirectory> users = receiver.users();
        if (users.isEmpty()) {
            reply("454 4.7.0 Temporary authentication failure: user directory not available");
            return;
        }
        SaslExchange.Credentials credentials;
        try {
            credentials = new SaslExchange(connection).run(argument);
        } catch (SaslExchange.Aborted e) {
            reply(e.reply());
            return;
        }
        Optional<Account> authenticated;
        try {
            authenticated = users.get().authenticate(credentials.login(), credentials.password());
        } catch (DirectoryUnavailableException e) {
            LOG.warn("AUTH could not be checked: {}", e.getMessage());
            reply("454 4.7.0 Temporary authentication failure; try again later");
            return;
        } finally {
            Arrays.fill(credentials.password(), '\0');
        }
        if (authenticated.isPresent()) {
            account = authenticated.get();
            LOG.info("Authenticated as {}", account.name());
            reply("235 2.7.0 Authentication successful");
            return;
        }
        authenticationFailed(credentials.login());
    }

    /** A wrong password waits before it is answered, and too many from one address end the session. */
    private void authenticationFailed(String login) throws IOException {
        boolean blocked = receiver.throttle().recordFailure(clientAddress());
        LOG.info("AUTH failed for login '{}'{}", ReceivedHeader.clean(login), blocked ? "; address now throttled" : "");
        try {
            Thread.sleep(settings().authFailureDelay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during the AUTH failure delay");
        }
        if (blocked) {
            connection.writeLine("421 4.7.0 Too many failed authentications; closing connection");
            connection.close();
        } else {
            reply("535 5.7.8 Authentication credentials invalid");
        }
    }

    private void help() throws IOException {
        connection.writeLine("214-2.0.0 Commands: HELO EHLO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT");
        connection.writeLine("214 2.0.0 See RFC 5321; mail for this server's domains is accepted on port 25,"
                + " submission needs AUTH on port 587 or 465");
    }

    private void vrfy(String argument) throws IOException {
        if (!settings().vrfy()) {
            // RFC 5321 §3.5.3: 252 is the answer of a server that will not say
            reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
            return;
        }
        String text = argument.strip();
        if (text.startsWith("<") && text.endsWith(">")) {
            text = text.substring(1, text.length() - 1);
        }
        MailAddress address;
        try {
            address = MailAddress.parse(text);
        } catch (IllegalArgumentException e) {
            reply("501 5.1.3 Bad address syntax: " + e.getMessage());
            return;
        }
        Optional<UserDirectory> users = receiver.users();
        if (users.isEmpty()) {
            reply("451 4.3.0 Cannot verify addresses now; try again later");
            return;
        }
        try {
            if (users.get().isLocalDomain(address.domain()) && !users.get().resolve(address).isUnknown()) {
                reply("250 2.1.5 <" + address + ">");
            } else {
                reply("550 5.1.1 <" + address + ">: User unknown");
            }
        } catch (DirectoryUnavailableException e) {
            reply("451 4.3.0 Cannot verify addresses now; try again later");
        }
    }

    // ------------------------------------------------------------------ the mail transaction

    private void mail(String argument) throws IOException {
        if (heloName == null) {
            reply("503 5.5.1 Send HELO or EHLO first");
            return;
        }
        if (transaction != null) {
            reply("503 5.5.1 Nested MAIL command");
            return;
        }
        if (role.requiresAuth() && account == null) {
            // RFC 6409 §4.3
            reply("530 5.7.0 Authentication required");
            return;
        }
        PathArgument path;
        try {
            path = PathArgument.parse(argument, "FROM:");
        } catch (PathArgument.SyntaxException e) {
            reply("501 5.5.4 Syntax: MAIL FROM:<address> [parameters]: " + e.getMessage());
            return;
        }
        if (!extended && !path.parameters().isEmpty()) {
            reply("555 5.5.4 Parameters need EHLO");
            return;
        }
        BodyType body = BodyType.SEVEN_BIT;
        boolean smtpUtf8 = false;
        DsnReturn ret = null;
        String envelopeId = null;
        long declaredSize = -1;
        for (Map.Entry<String, String> parameter : path.parameters().entrySet()) {
            String value = parameter.getValue();
            switch (parameter.getKey()) {
                case "SIZE" -> {
                    // RFC 1870 §6: a declared size above the limit is refused before any data is sent
                    long declared = decimal(value);
                    if (declared < 0) {
                        reply("501 5.5.4 SIZE needs a number of bytes");
                        return;
                    }
                    if (declared > settings().maxMessageSize()) {
                        reply("552 5.3.4 Message size exceeds fixed maximum message size of "
                                + settings().maxMessageSize() + " bytes");
                        return;
                    }
                    declaredSize = declared;
                }
                case "BODY" -> {
                    body = bodyType(value);
                    if (body == null) {
                        reply("501 5.5.4 BODY must be 7BIT, 8BITMIME or BINARYMIME");
                        return;
                    }
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        reply("501 5.5.4 SMTPUTF8 takes no value");
                        return;
                    }
                    smtpUtf8 = true;
                }
                case "RET" -> {
                    ret = "FULL".equalsIgnoreCase(value) ? DsnReturn.FULL
                            : "HDRS".equalsIgnoreCase(value) ? DsnReturn.HEADERS : null;
                    if (ret == null) {
                        reply("501 5.5.4 RET must be FULL or HDRS");
                        return;
                    }
                }
                case "ENVID" -> {
                    try {
                        envelopeId = value == null ? null : PathArgument.decodeXtext(value);
                    } catch (PathArgument.SyntaxException e) {
                        reply("501 5.5.4 Malformed ENVID: " + e.getMessage());
                        return;
                    }
                    if (envelopeId == null || envelopeId.isEmpty() || envelopeId.length() > MAX_ENVID_LENGTH) {
                        reply("501 5.5.4 ENVID must be 1 to 100 characters of xtext");
                        return;
                    }
                }
                case "AUTH" -> {
                    // RFC 4954 §5: the original submitter, for relays between trusted servers; not trusted here
                }
                default -> {
                    reply("555 5.5.4 Unsupported parameter " + parameter.getKey());
                    return;
                }
            }
        }
        MailAddress sender = null;
        if (!path.isNull()) {
            if (!path.isAscii() && !smtpUtf8) {
                // RFC 6531 §3.7.4.1
                reply("553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter");
                return;
            }
            try {
                sender = path.address();
            } catch (IllegalArgumentException e) {
                reply("553 5.1.7 Bad sender address syntax: " + e.getMessage());
                return;
            }
        }
        if (receiver.queue().isEmpty()) {
            reply("451 4.3.0 Mail queue not available; try again later");
            return;
        }
        if (!mayUseSender(sender)) {
            return;
        }
        transaction = new Transaction(sender, body, smtpUtf8, ret, envelopeId, declaredSize);
        reply("250 2.1.0 Ok");
    }

    /** An authenticated submitter sends only as itself or its aliases (if so configured); replies if not. */
    private boolean mayUseSender(MailAddress sender) throws IOException {
        if (account == null || sender == null || !settings().senderMustBeOwn()) {
            return true;
        }
        Optional<UserDirectory> users = receiver.users();
        if (users.isEmpty()) {
            reply("451 4.3.0 Cannot check the sender address now; try again later");
            return false;
        }
        try {
            if (users.get().mayUseSender(account, sender)) {
                return true;
            }
        } catch (DirectoryUnavailableException e) {
            reply("451 4.3.0 Cannot check the sender address now; try again later");
            return false;
        }
        LOG.info("MAIL FROM <{}> refused: not an address of {}", sender, account.name());
        reply("553 5.7.1 <" + sender + ">: Sender address not owned by user " + account.name());
        return false;
    }

    private static long decimal(String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(value);
    }

    private static BodyType bodyType(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "7BIT" -> BodyType.SEVEN_BIT;
            case "8BITMIME" -> BodyType.EIGHT_BIT_MIME;
            case "BINARYMIME" -> BodyType.BINARY_MIME;
            default -> null;
        };
    }

    private void rcpt(String argument) throws IOException {
        if (transaction == null) {
            reply("503 5.5.1 Need MAIL command first");
            return;
        }
        PathArgument path;
        try {
            path = PathArgument.parse(argument, "TO:");
        } catch (PathArgument.SyntaxException e) {
            reply("501 5.5.4 Syntax: RCPT TO:<address> [parameters]: " + e.getMessage());
            return;
        }
        if (!extended && !path.parameters().isEmpty()) {
            reply("555 5.5.4 Parameters need EHLO");
            return;
        }
        Set<DsnNotify> notify = EnumSet.noneOf(DsnNotify.class);
        String originalRecipient = null;
        for (Map.Entry<String, String> parameter : path.parameters().entrySet()) {
            switch (parameter.getKey()) {
                case "NOTIFY" -> {
                    notify = notify(parameter.getValue());
                    if (notify == null) {
                        reply("501 5.5.4 NOTIFY must be NEVER, or SUCCESS, FAILURE and DELAY separated by commas");
                        return;
                    }
                }
                case "ORCPT" -> {
                    originalRecipient = originalRecipient(parameter.getValue());
                    if (originalRecipient == null) {
                        reply("501 5.5.4 ORCPT must be addr-type;xtext");
                        return;
                    }
                }
                default -> {
                    reply("555 5.5.4 Unsupported parameter " + parameter.getKey());
                    return;
                }
            }
        }
        if (transaction.recipientCount() >= settings().maxRecipients()) {
            reply("452 4.5.3 Too many recipients");
            return;
        }
        MailAddress address;
        boolean postmaster = path.path().equalsIgnoreCase("postmaster");
        if (postmaster) {
            // RFC 5321 §4.5.1: <Postmaster> without a domain must be accepted
            address = new MailAddress("postmaster", settings().hostName());
        } else {
            if (!path.isAscii() && !transaction.smtpUtf8()) {
                reply("553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter on MAIL FROM");
                return;
            }
            try {
                address = path.address();
            } catch (IllegalArgumentException e) {
                reply("501 5.1.3 Bad recipient address syntax: " + e.getMessage());
                return;
            }
        }
        RecipientCheck check = postmaster ? RecipientCheck.LOCAL : recipientAccepted(address);
        if (check == RecipientCheck.REFUSED) {
            return;
        }
        PolicyVerdict verdict = receiver.policies().recipient(facts(), address, check == RecipientCheck.LOCAL,
                settings().policyFailClosed());
        if (verdict.action() != PolicyVerdict.Action.ACCEPT) {
            reply(verdict.reply());
            return;
        }
        transaction.add(new Recipient(address, notify, originalRecipient));
        transaction.addHeaders(verdict.headers());
        reply("250 2.1.5 Ok");
    }

    /** What the server's own rules say of a recipient. */
    private enum RecipientCheck { LOCAL, REMOTE, REFUSED }

    /** Local domains take mail for known users; other domains only from authenticated submitters. Replies if not. */
    private RecipientCheck recipientAccepted(MailAddress address) throws IOException {
        Optional<UserDirectory> users = receiver.users();
        if (users.isEmpty()) {
            reply("451 4.3.0 Cannot verify recipients now; try again later");
            return RecipientCheck.REFUSED;
        }
        try {
            if (users.get().isLocalDomain(address.domain())) {
                Resolution resolution = users.get().resolve(address);
                if (settings().rejectUnknownRecipients() && resolution.isUnknown()) {
                    reply("550 5.1.1 <" + address + ">: Recipient address rejected: User unknown");
                    return RecipientCheck.REFUSED;
                }
                String full = quotaRefusal(address, resolution);
                if (full != null) {
                    LOG.info("RCPT TO <{}> refused: {}", address, full);
                    reply(full);
                    return RecipientCheck.REFUSED;
                }
                return RecipientCheck.LOCAL;
            }
        } catch (DirectoryUnavailableException e) {
            LOG.warn("Recipient check failed: {}", e.getMessage());
            reply("451 4.3.0 Cannot verify recipients now; try again later");
            return RecipientCheck.REFUSED;
        }
        if (account == null) {
            reply("554 5.7.1 <" + address + ">: Relay access denied");
            return RecipientCheck.REFUSED;
        }
        return RecipientCheck.REMOTE;
    }

    /**
     * The reply for a local recipient whose accounts cannot take the message now, or {@code null}.
     * A recipient is refused only if every account it reaches is over quota and it has no
     * forwards: {@code 552 5.2.2} if the declared SIZE exceeds every account's whole quota (it
     * can never fit), otherwise {@code 452 4.2.2} (RFC 3463: mailbox full, the client retries and
     * the user may make room). Without the store, or if it fails, the queue decides later.
     */
    private String quotaRefusal(MailAddress address, Resolution resolution) {
        Optional<MailboxStore> store = receiver.store();
        if (store.isEmpty() || resolution.accounts().isEmpty() || !resolution.forwards().isEmpty()) {
            return null;
        }
        long size = Math.max(transaction.declaredSize(), 0);
        boolean neverFits = true;
        for (String name : resolution.accounts()) {
            QuotaUsage quota;
            try {
                quota = store.get().quota(name);
            } catch (StoreException | RuntimeException e) {
                LOG.debug("Quota of {} unknown, accepting: {}", name, e.toString());
                return null;
            }
            boolean fitsAtAll = quota.limitBytes() <= 0 || size <= quota.limitBytes();
            boolean bytesFree = quota.limitBytes() <= 0
                    || quota.usedBytes() < quota.limitBytes() && quota.usedBytes() + size <= quota.limitBytes();
            boolean messagesFree = quota.limitMessages() <= 0 || quota.usedMessages() < quota.limitMessages();
            if (bytesFree && messagesFree) {
                return null;
            }
            neverFits &= !fitsAtAll;
        }
        return neverFits
                ? "552 5.2.2 <" + address + ">: Message is larger than the recipient's mailbox quota"
                : "452 4.2.2 <" + address + ">: Mailbox full; try again later";
    }

    /** What the policies are told of this session and its transaction. */
    private SessionFacts facts() {
        return new SessionFacts(connection.listener().name(), clientAddress(), clientName.get(), heloName,
                connection.tlsActive(), account == null ? null : account.name(), transaction.sender());
    }

    private static Set<DsnNotify> notify(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Set<DsnNotify> notify = EnumSet.noneOf(DsnNotify.class);
        for (String word : value.split(",", -1)) {
            switch (word.toUpperCase(Locale.ROOT)) {
                case "NEVER" -> notify.add(DsnNotify.NEVER);
                case "SUCCESS" -> notify.add(DsnNotify.SUCCESS);
                case "FAILURE" -> notify.add(DsnNotify.FAILURE);
                case "DELAY" -> notify.add(DsnNotify.DELAY);
                default -> {
                    return null;
                }
            }
        }
        // RFC 3461 §4.1: NEVER stands alone
        return notify.contains(DsnNotify.NEVER) && notify.size() > 1 ? null : notify;
    }

    private static String originalRecipient(String value) {
        if (value == null) {
            return null;
        }
        int semicolon = value.indexOf(';');
        if (semicolon <= 0 || semicolon == value.length() - 1) {
            return null;
        }
        try {
            return value.substring(0, semicolon) + ";" + PathArgument.decodeXtext(value.substring(semicolon + 1));
        } catch (PathArgument.SyntaxException e) {
            return null;
        }
    }

    private void data(String argument) throws IOException {
        if (transaction == null) {
            reply("503 5.5.1 Need MAIL command first");
            return;
        }
        if (transaction.recipientCount() == 0) {
            reply("554 5.5.1 No valid recipients");
            return;
        }
        if (!argument.isBlank()) {
            reply("501 5.5.4 Syntax: DATA");
            return;
        }
        if (transaction.bodyType() == BodyType.BINARY_MIME) {
            // RFC 3030 §3: a binary body cannot be dot-stuffed
            reply("503 5.5.1 BODY=BINARYMIME needs BDAT, not DATA");
            return;
        }
        if (receiver.queue().isEmpty()) {
            transaction = null;
            reply("451 4.3.0 Mail queue not available; try again later");
            return;
        }
        connection.writeLine("354 End data with <CR><LF>.<CR><LF>");
        boolean strict = settings().rejectBareLineEndings();
        connection.setIdleTimeout(settings().dataTimeout());
        try (InputStream body = connection.readDotStuffed(strict ? BareLineEndings.REJECT : BareLineEndings.ACCEPT)) {
            String result = deliver(strict ? body : new LineEndingNormalizer(body));
            reply(result);
        } finally {
            transaction = null;
            connection.setIdleTimeout(settings().commandTimeout());
        }
    }

    private void bdat(String argument) throws IOException {
        ChunkedMessage.Chunk chunk = ChunkedMessage.Chunk.parse(argument);
        if (chunk == null) {
            // without a size the chunk cannot be skipped; what follows is read as commands
            reply("501 5.5.4 Syntax: BDAT chunk-size [LAST]");
            return;
        }
        String refusal = transaction == null ? "503 5.5.1 Need MAIL command first"
                : transaction.recipientCount() == 0 ? "554 5.5.1 No valid recipients"
                : receiver.queue().isEmpty() ? "451 4.3.0 Mail queue not available; try again later"
                : null;
        if (refusal != null) {
            // RFC 3030 §2: the chunk is read even when it is refused
            connection.readCounted(chunk.size()).close();
            transaction = null;
            reply(refusal);
            return;
        }
        connection.setIdleTimeout(settings().dataTimeout());
        Line interruption = null;
        try (ChunkedMessage message = new ChunkedMessage(connection, chunk)) {
            reply(deliver(lineEndingsChecked(message)));
        } catch (ChunkedMessage.Interrupted e) {
            LOG.debug("BDAT transaction abandoned for another command");
            interruption = e.command();
        } finally {
            transaction = null;
            connection.setIdleTimeout(settings().commandTimeout());
        }
        if (interruption != null) {
            lineReceived(interruption);
        }
    }

    /**
     * A chunked message under the bare line ending rule of DATA (the SMTP smuggling class,
     * CVE-2023-51764): a next hop must never get a bare CR or LF from us to misread. Except
     * BODY=BINARYMIME, whose octets are data of any value (RFC 3030 §3).
     */
    private InputStream lineEndingsChecked(InputStream chunks) {
        if (transaction.bodyType() == BodyType.BINARY_MIME) {
            return chunks;
        }
        return settings().rejectBareLineEndings() ? new BareLineEndingCheck(chunks) : new LineEndingNormalizer(chunks);
    }

    /**
     * Streams the client's message, behind a {@code Received:} header, into the queue; returns
     * the reply. 250 only once the queue has the message; a message over the size limit or with
     * bare line endings is refused once it has been read to its end, with nothing kept. If
     * policies apply, the message is held in a file until they have read it, and their header
     * fields go above the {@code Received:} header.
     *
     * @throws IOException if the client went away or timed out, or (BDAT) interrupted the transaction
     */
    private String deliver(InputStream client) throws IOException {
        MailQueue queue = receiver.queue().orElse(null);
        if (queue == null) {
            client.transferTo(OutputStream.nullOutputStream());
            return "451 4.3.0 Mail queue not available; try again later";
        }
        Origin origin = new Origin(heloName, clientAddress().getHostAddress(), clientName.get(), protocol(),
                account == null ? null : account.name(),
                connection.tlsSession().map(tls -> tls.getProtocol() + " " + tls.getCipherSuite()).orElse(null),
                connection.listener().name(), Instant.now());
        String traceId = connection.id() + "." + ++transactions;
        byte[] received = ReceivedHeader.of(origin, settings().hostName(), traceId, receiver.zone());
        MessageStream message = new MessageStream(client, settings().maxMessageSize());
        InputStream content = new SequenceInputStream(new ByteArrayInputStream(received), message);
        SessionFacts facts = facts();
        if (!receiver.policies().appliesTo(facts)) {
            return enqueue(queue, origin, prepended(transaction.policyHeaders(List.of()), content), message, client);
        }
        HeldMessage held;
        try {
            held = HeldMessage.receive(receiver.holdFolder(), content);
        } catch (IOException e) {
            return refused(e, message, client);
        }
        try (held) {
            PolicyVerdict verdict = receiver.policies().message(facts, transaction.addresses(), held.source(),
                    settings().policyFailClosed());
            if (verdict.action() != PolicyVerdict.Action.ACCEPT) {
                LOG.info("Message from <{}> refused by policy: {}",
                        transaction.sender() == null ? "" : transaction.sender(), verdict.reply());
                return verdict.reply();
            }
            try (InputStream stored = held.source().openStream()) {
                return enqueue(queue, origin, prepended(transaction.policyHeaders(verdict.headers()), stored),
                        message, client);
            }
        }
    }

    private static InputStream prepended(List<HeaderField> headers, InputStream message) {
        return headers.isEmpty() ? message
                : new SequenceInputStream(new ByteArrayInputStream(AddedHeaders.of(headers)), message);
    }

    /** Hands the message to the queue; 250 once it has it, else the reply that says why not. */
    private String enqueue(MailQueue queue, Origin origin, InputStream content, MessageStream message,
                           InputStream client) throws IOException {
        try {
            QueuedMessage queued = queue.enqueue(transaction.envelope(origin), content);
            LOG.info("Queued {} ({} bytes) from <{}> for {} recipients", queued.id(), queued.size(),
                    transaction.sender() == null ? "" : transaction.sender(), transaction.recipientCount());
            return "250 2.0.0 Ok: queued as " + queued.id();
        } catch (QueueException | RuntimeException e) {
            return refused(e, message, client);
        }
    }

    private String refused(Exception e, MessageStream message, InputStream client) throws IOException {
        IOException failure = message.failure();
        if (failure instanceof MessageStream.TooLargeException) {
            client.close();
            LOG.info("Message refused: larger than {} bytes", settings().maxMessageSize());
            return "552 5.3.4 Message size exceeds fixed maximum message size of " + settings().maxMessageSize() + " bytes";
        }
        if (failure instanceof BareLineEndingException bare) {
            LOG.info("Message refused: {}", bare.getMessage());
            return "550 5.6.0 Message contains a bare " + (bare.isBareLineFeed() ? "LF" : "CR")
                    + "; lines must end with CR LF (RFC 5321 §2.3.8)";
        }
        if (failure != null) {
            throw failure;
        }
        client.close();
        if (e instanceof QueueException refusal && !refusal.isTemporary()) {
            LOG.warn("The queue refused a message: {}", e.getMessage());
            return "554 5.3.0 Message could not be stored";
        }
        LOG.warn("The message could not be kept; the client will retry", e);
        return "451 4.3.0 Could not queue the message; try again later";
    }

    /** The RFC 3848 / RFC 6531 "with" keyword for the {@code Received:} header. */
    private String protocol() {
        boolean tls = connection.tlsActive();
        if (!extended && !tls && account == null) {
            return "SMTP";
        }
        return (transaction.smtpUtf8() ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (account != null ? "A" : "");
    }
}
