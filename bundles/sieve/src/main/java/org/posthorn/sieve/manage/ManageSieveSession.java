package org.posthorn.sieve.manage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.posthorn.api.user.Account;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.Connection;
import org.posthorn.net.Line;
import org.posthorn.net.ProtocolSession;
import org.posthorn.net.Rejection;
import org.posthorn.sieve.manage.CommandLine.BadCommand;
import org.posthorn.sieve.script.Script;
import org.posthorn.sieve.script.ScriptException;
import org.posthorn.sieve.store.ScriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One ManageSieve connection (RFC 5804): the state machine and its commands. */
public final class ManageSieveSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(ManageSieveSession.class);
    /** RFC 5804 §1.6 allows any name without control characters; the database column holds 255. */
    private static final int MAX_NAME_LENGTH = 255;

    private final Connection connection;
    private final ScriptStore scripts;
    private final Supplier<Optional<UserDirectory>> users;
    private final Supplier<ManageSieveSettings> settings;
    private String account;
    private int failedLogins;
    /** Set once STARTTLS was accepted: the handshake completes with the next read, before any command. */
    private boolean tlsStarted;

    public ManageSieveSession(Connection connection, ScriptStore scripts, Supplier<Optional<UserDirectory>> users,
                              Supplier<ManageSieveSettings> settings) {
        this.connection = connection;
        this.scripts = scripts;
        this.users = users;
        this.settings = settings;
    }

    @Override
    public void connected() throws IOException {
        capabilities();
        connection.writeLine("OK \"Posthorn ManageSieve ready\"");
    }

    @Override
    public void lineReceived(Line line) throws IOException {
        ManageSieveSettings limits = settings.get();
        CommandLine command;
        try {
            command = CommandLine.read(line, connection, limits.maxScriptSize());
        } catch (BadCommand e) {
            reply(e);
            return;
        }
        try {
            execute(command, limits);
        } catch (BadCommand e) {
            reply(e);
        } catch (SQLException | DirectoryUnavailableException e) {
            LOG.warn("ManageSieve {} failed: {}", command.name(), e.toString());
            connection.writeLine("NO (TRYLATER) \"The script store is unavailable; try again later\"");
        }
    }

    private void reply(BadCommand e) throws IOException {
        if (e.fatal) {
            connection.writeLine("BYE " + CommandLine.quote(e.getMessage()));
            connection.close();
        } else if (e.getMessage().startsWith("(")) {
            int close = e.getMessage().indexOf(')');
            connection.writeLine("NO " + e.getMessage().substring(0, close + 1) + " "
                    + CommandLine.quote(e.getMessage().substring(close + 1).strip()));
        } else {
            connection.writeLine("NO " + CommandLine.quote(e.getMessage()));
        }
    }

    private void execute(CommandLine c, ManageSieveSettings limits)
            throws IOException, BadCommand, SQLException, DirectoryUnavailableException {
        switch (c.name()) {
            case "CAPABILITY" -> {
                c.expect(0);
                capabilities();
                ok("Capability completed");
            }
            case "NOOP" -> {
                // RFC 5804 §2.13: a string argument comes back as the TAG response code
                if (c.arguments().isEmpty()) {
                    ok("Done");
                } else {
                    connection.writeLine("OK (TAG " + CommandLine.quote(c.string(0)) + ") \"Done\"");
                }
            }
            case "LOGOUT" -> {
                connection.writeLine("OK \"Logout\"");
                connection.close();
            }
            case "STARTTLS" -> startTls(c);
            case "AUTHENTICATE" -> authenticate(c, limits);
            default -> {
                if (account == null) {
                    throw new BadCommand(isKnown(c.name()) ? "Authenticate first" : "Unknown command " + c.name(),
                            false);
                }
                authenticated(c, limits);
            }
        }
    }

    private static boolean isKnown(String name) {
        return List.of("LISTSCRIPTS", "GETSCRIPT", "PUTSCRIPT", "SETACTIVE", "DELETESCRIPT", "RENAMESCRIPT",
                "CHECKSCRIPT", "HAVESPACE", "UNAUTHENTICATE").contains(name);
    }

    private void authenticated(CommandLine c, ManageSieveSettings limits)
            throws IOException, BadCommand, SQLException {
        switch (c.name()) {
            case "LISTSCRIPTS" -> {
                c.expect(0);
                for (ScriptStore.ScriptInfo s : scripts.list(account)) {
                    connection.writeLine(CommandLine.quote(s.name()) + (s.active() ? " ACTIVE" : ""));
                }
                ok("Listscripts completed");
            }
            case "GETSCRIPT" -> {
                c.expect(1);
                Optional<String> script = scripts.get(account, c.string(0));
                if (script.isEmpty()) {
                    throw new BadCommand("(NONEXISTENT) There is no script by that name", false);
                }
                byte[] bytes = script.get().getBytes(StandardCharsets.UTF_8);
                connection.writeLine("{" + bytes.length + "}");
                connection.write(bytes);
                connection.write(new byte[] {'\r', '\n'});
                ok("Getscript completed");
            }
            case "PUTSCRIPT" -> {
                c.expect(2);
                String name = name(c.string(0));
                String text = c.string(1);
                checkSpace(name, text.getBytes(StandardCharsets.UTF_8).length, limits);
                compile(text);
                scripts.put(account, name, text);
                LOG.info("ManageSieve: {} stored script {}", account, name);
                ok("Putscript completed");
            }
            case "CHECKSCRIPT" -> {
                c.expect(1);
                compile(c.string(0));
                ok("Script is valid");
            }
            case "HAVESPACE" -> {
                c.expect(2);
                checkSpace(name(c.string(0)), c.number(1), limits);
                ok("Putscript would succeed");
            }
            case "SETACTIVE" -> {
                c.expect(1);
                if (!scripts.setActive(account, c.string(0))) {
                    throw new BadCommand("(NONEXISTENT) There is no script by that name", false);
                }
                LOG.info("ManageSieve: {} activated script {}", account, c.string(0).isEmpty() ? "(none)" : c.string(0));
                ok(c.string(0).isEmpty() ? "No script is active now" : "Setactive completed");
            }
            case "DELETESCRIPT" -> {
                c.expect(1);
                switch (scripts.delete(account, c.string(0))) {
                    case NO_SUCH_SCRIPT -> throw new BadCommand("(NONEXISTENT) There is no script by that name", false);
                    case ACTIVE -> throw new BadCommand("(ACTIVE) The active script cannot be deleted", false);
                    default -> ok("Deletescript completed");
                }
            }
            case "RENAMESCRIPT" -> {
                c.expect(2);
                switch (scripts.rename(account, c.string(0), name(c.string(1)))) {
                    case NO_SUCH_SCRIPT -> throw new BadCommand("(NONEXISTENT) There is no script by that name", false);
                    case ALREADY_EXISTS -> throw new BadCommand("(ALREADYEXISTS) A script by the new name exists",
                            false);
                    default -> ok("Renamescript completed");
                }
            }
            case "UNAUTHENTICATE" -> {
                c.expect(0);
                account = null;
                ok("Unauthenticate completed");
            }
            default -> throw new BadCommand("Unknown command " + c.name(), false);
        }
    }

    /** RFC 5804 §2.3: HAVESPACE and PUTSCRIPT refuse what would exceed the limits. */
    private void checkSpace(String name, long size, ManageSieveSettings limits) throws BadCommand, SQLException {
        if (size > limits.maxScriptSize()) {
            throw new BadCommand("(QUOTA/MAXSIZE) Scripts may have at most " + limits.maxScriptSize() + " octets", false);
        }
        List<ScriptStore.ScriptInfo> existing = scripts.list(account);
        boolean replaces = existing.stream().anyMatch(s -> s.name().equals(name));
        if (!replaces && existing.size() >= limits.maxScripts()) {
            throw new BadCommand("(QUOTA/MAXSCRIPTS) At most " + limits.maxScripts() + " scripts per user", false);
        }
    }

    private static void compile(String text) throws BadCommand {
        try {
            Script.compile(text);
        } catch (ScriptException e) {
            throw new BadCommand(e.getMessage(), false);
        }
    }

    /** RFC 5804 §1.6: a script name is non-empty UTF-8 without control characters. */
    private static String name(String name) throws BadCommand {
        boolean bad = name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(ch -> ch < 0x20
                || (ch >= 0x7f && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029);
        if (bad) {
            throw new BadCommand("Script names are 1 to " + MAX_NAME_LENGTH + " characters without control characters",
                    false);
        }
        return name;
    }

    private void startTls(CommandLine c) throws IOException, BadCommand {
        c.expect(0);
        if (secure()) {
            throw new BadCommand("TLS is active already", false);
        }
        if (!connection.tlsAvailable() || !connection.startTls("OK \"Begin TLS negotiation now\"")) {
            throw new BadCommand("TLS is not available", false);
        }
        // RFC 5804 §2.2: after the handshake the server sends its capabilities again
        tlsStarted = true;
        account = null;
        capabilities();
        ok("TLS negotiation successful");
    }

    private void authenticate(CommandLine c, ManageSieveSettings limits)
            throws IOException, BadCommand, DirectoryUnavailableException {
        if (account != null) {
            throw new BadCommand("Already authenticated", false);
        }
        if (!c.string(0).equalsIgnoreCase("PLAIN")) {
            throw new BadCommand("Only the PLAIN mechanism is offered", false);
        }
        if (!secure() && !limits.plaintextAuthAllowed()) {
            throw new BadCommand("(ENCRYPT-NEEDED) Use STARTTLS first", false);
        }
        String response;
        if (c.arguments().size() > 1) {
            response = c.string(1);
        } else {
            connection.writeLine("\"\"");
            connection.flush();
            try {
                response = CommandLine.read(Line.of("X " + connection.readLine().text()), connection, 8192).string(0);
            } catch (BadCommand e) {
                throw new BadCommand("Expected a base64 string", false);
            }
        }
        if (response.equals("*")) {
            throw new BadCommand("Authentication cancelled", false);
        }
        UserDirectory directory = users.get().orElseThrow(
                () -> new DirectoryUnavailableException("the user directory is not running", null));
        Optional<Account> login = check(directory, response);
        if (login.isEmpty()) {
            failedLogins++;
            LOG.info("ManageSieve: failed login from {}", connection.remoteAddress().getAddress().getHostAddress());
            if (failedLogins >= limits.maxFailedLogins()) {
                connection.writeLine("BYE \"Too many failed logins\"");
                connection.close();
                return;
            }
            throw new BadCommand("Authentication failed", false);
        }
        account = login.get().name();
        LOG.info("ManageSieve: {} logged in", account);
        ok("Authenticated");
    }

    /** RFC 4616: authzid NUL authcid NUL password; acting for another user (authzid) is not allowed. */
    private static Optional<Account> check(UserDirectory directory, String base64)
            throws BadCommand, DirectoryUnavailableException {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new BadCommand("Bad base64 in the PLAIN response", false);
        }
        int first = indexOf(decoded, 0);
        int second = first < 0 ? -1 : indexOf(decoded, first + 1);
        if (second < 0) {
            Arrays.fill(decoded, (byte) 0);
            throw new BadCommand("Malformed PLAIN response", false);
        }
        String authzid = new String(decoded, 0, first, StandardCharsets.UTF_8);
        String authcid = new String(decoded, first + 1, second - first - 1, StandardCharsets.UTF_8);
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(decoded, second + 1,
                decoded.length - second - 1));
        char[] password = new char[chars.remaining()];
        chars.get(password);
        Arrays.fill(chars.array(), '\0');
        Arrays.fill(decoded, (byte) 0);
        try {
            Optional<Account> login = directory.authenticate(authcid, password);
            if (login.isPresent() && !authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)
                    && !authzid.equalsIgnoreCase(login.get().name())) {
                return Optional.empty();
            }
            return login;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5804 §1.7. */
    private void capabilities() throws IOException {
        connection.writeLine("\"IMPLEMENTATION\" \"Posthorn\"");
        boolean saslAllowed = secure() || settings.get().plaintextAuthAllowed();
        connection.writeLine("\"SASL\" \"" + (saslAllowed ? "PLAIN" : "") + "\"");
        connection.writeLine("\"SIEVE\" \"" + String.join(" ", Script.EXTENSIONS) + "\"");
        if (!secure() && connection.tlsAvailable()) {
            connection.writeLine("\"STARTTLS\"");
        }
        connection.writeLine("\"VERSION\" \"1.0\"");
    }

    private boolean secure() {
        return tlsStarted || connection.tlsActive();
    }

    private void ok(String text) throws IOException {
        connection.writeLine("OK " + CommandLine.quote(text));
    }

    @Override
    public void lineTooLong() throws IOException {
        connection.writeLine("NO \"Line too long\"");
    }

    @Override
    public void tooManyConnections(Rejection reason) throws IOException {
        connection.writeLine("BYE (TRYLATER) \"Too many connections; try again later\"");
    }

    @Override
    public void idleTimeout() throws IOException {
        connection.writeLine("BYE \"Idle for too long\"");
    }

    @Override
    public void shuttingDown() throws IOException {
        connection.writeLine("BYE (TRYLATER) \"Server shutting down\"");
    }
}
