package org.posthorn.shell.command;

import static org.posthorn.shell.command.Option.flag;
import static org.posthorn.shell.command.Option.valued;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.posthorn.api.user.UserAdmin;
import org.posthorn.api.user.UserAdmin.AccountInfo;
import org.posthorn.api.user.UserAdmin.Alias;
import org.posthorn.api.user.UserAdmin.ImportResult;

/** Domains, accounts, passwords, quotas and aliases, on {@link UserAdmin}. */
final class UserCommands {

    private static final List<Option> PASSWORD_OPTIONS = List.of(
            valued("--password-file", "FILE", "read the password from the first line of FILE (for scripts)"),
            valued("--hash", "HASH", "store this {SCHEME} hash as it is, e.g. from doveadm pw (quote it: '{ARGON2ID}$...')"));

    private final Services services;

    UserCommands(Services services) {
        this.services = services;
    }

    List<AdminCommand> commands() {
        return List.of(
                new AdminCommand("domain-add", "DOMAIN", "Adds a local domain: mail to it is delivered here.",
                        List.of(), 1, 1, call -> {
                            services.users().addDomain(call.argument(0));
                            call.out().println("Domain " + call.argument(0) + " added");
                        }),
                new AdminCommand("domain-del", "DOMAIN",
                        "Removes a local domain with its aliases. Refused while it has accounts.",
                        List.of(), 1, 1, call -> {
                            services.users().removeDomain(call.argument(0));
                            call.out().println("Domain " + call.argument(0) + " removed");
                        }),
                new AdminCommand("domain-list", "", "Lists the local domains.", List.of(), 0, 0,
                        call -> services.users().domains().forEach(call.out()::println)),
                new AdminCommand("user-add", "ADDRESS",
                        "Adds an account in a local domain, with the standard mailboxes. Asks for the password"
                                + " (without echo on a terminal; one line of input otherwise) unless it comes from a"
                                + " file or as a hash.",
                        concat(PASSWORD_OPTIONS, List.of(
                                flag("--no-password", "no password: the account cannot log in until user-passwd"),
                                valued("--quota-bytes", "SIZE", "byte quota, k/M/G/T suffixes; 0: none; default: the store's"),
                                valued("--quota-messages", "N", "message quota; 0: none; default: the store's"))),
                        1, 1, this::addUser),
                new AdminCommand("user-passwd", "ACCOUNT",
                        "Sets an account's password. Asks for it (without echo on a terminal; one line of input"
                                + " otherwise) unless it comes from a file or as a hash.",
                        PASSWORD_OPTIONS, 1, 1, call -> {
                            String account = call.argument(0);
                            if (call.option("--hash").isPresent()) {
                                services.users().setPasswordHash(account, call.option("--hash").get());
                            } else {
                                UserAdmin users = services.users();
                                char[] password = password(call, account);
                                try {
                                    users.setPassword(account, password);
                                } finally {
                                    Arrays.fill(password, '\0');
                                }
                            }
                            call.out().println("Password of " + account + " set");
                        }),
                new AdminCommand("user-del", "ACCOUNT",
                        "Removes an account with all its mailboxes and messages, and the aliases pointing at it."
                                + " Asks for nothing: give --yes to confirm.",
                        List.of(flag("--yes", "yes, remove it and its mail")), 1, 1, call -> {
                            if (!call.flag("--yes")) {
                                throw CommandFailure.usage("user-del removes " + call.argument(0)
                                        + " with all its mail; repeat with --yes to do it");
                            }
                            services.users().removeUser(call.argument(0));
                            call.out().println("Account " + call.argument(0) + " removed");
                        }),
                new AdminCommand("user-list", "[DOMAIN]",
                        "Lists the accounts (of one domain, or all) with their state, quota and usage.",
                        List.of(), 0, 1, call -> {
                            Table table = new Table("ACCOUNT", "ENABLED", "PASSWORD", "MESSAGES/QUOTA", "SIZE/QUOTA");
                            for (AccountInfo a : services.users().users(call.optionalArgument(0).orElse(null))) {
                                table.row(a.name(), a.enabled() ? "yes" : "no", a.hasPassword() ? "set" : "none",
                                        a.usedMessages() + "/" + limit(a.quotaMessages()),
                                        Table.bytes(a.usedBytes()) + "/" + (a.quotaBytes() == 0 ? "-" : Table.bytes(a.quotaBytes())));
                            }
                            table.print(call.out());
                        }),
                new AdminCommand("user-quota", "ACCOUNT",
                        "Shows an account's quota and usage, or sets the quota. Lowering it below the usage only"
                                + " refuses new mail.",
                        List.of(valued("--bytes", "SIZE", "byte quota, k/M/G/T suffixes; 0: none"),
                                valued("--messages", "N", "message quota; 0: none")),
                        1, 1, call -> {
                            Optional<Long> bytes = call.size("--bytes");
                            Optional<Long> messages = call.count("--messages");
                            UserAdmin users = services.users();
                            AccountInfo info = users.user(call.argument(0));
                            if (bytes.isPresent() || messages.isPresent()) {
                                users.setQuota(info.name(), bytes.orElse(info.quotaBytes()),
                                        messages.orElse(info.quotaMessages()));
                                info = users.user(info.name());
                            }
                            call.out().println(info.name() + ": " + Table.bytes(info.usedBytes()) + " of "
                                    + (info.quotaBytes() == 0 ? "unlimited" : Table.bytes(info.quotaBytes())) + ", "
                                    + info.usedMessages() + " of "
                                    + (info.quotaMessages() == 0 ? "unlimited" : info.quotaMessages()) + " messages");
                        }),
                new AdminCommand("user-enable", "ACCOUNT", "Lets a disabled account log in and receive mail again.",
                        List.of(), 1, 1, call -> {
                            services.users().setEnabled(call.argument(0), true);
                            call.out().println("Account " + call.argument(0) + " enabled");
                        }),
                new AdminCommand("user-disable", "ACCOUNT",
                        "Disables an account: it cannot log in and mail to it is refused. Its mail is kept.",
                        List.of(), 1, 1, call -> {
                            services.users().setEnabled(call.argument(0), false);
                            call.out().println("Account " + call.argument(0) + " disabled");
                        }),
                new AdminCommand("alias-add", "ADDRESS TARGET",
                        "Adds a target to an alias in a local domain: a local account, another alias or an external"
                                + " address.",
                        List.of(), 2, 2, call -> {
                            services.users().addAlias(call.argument(0), call.argument(1));
                            call.out().println("Alias " + call.argument(0) + " -> " + call.argument(1) + " added");
                        }),
                new AdminCommand("alias-del", "ADDRESS [TARGET]",
                        "Removes one target of an alias, or the whole alias when no target is given.",
                        List.of(), 1, 2, call -> {
                            services.users().removeAlias(call.argument(0), call.optionalArgument(1).orElse(null));
                            call.out().println("Alias " + call.argument(0)
                                    + call.optionalArgument(1).map(t -> " -> " + t).orElse("") + " removed");
                        }),
                new AdminCommand("alias-list", "[DOMAIN]", "Lists the aliases (of one domain, or all) and catch-alls.",
                        List.of(), 0, 1, call -> {
                            UserAdmin users = services.users();
                            String domain = call.optionalArgument(0).orElse(null);
                            Table table = new Table("ALIAS", "TARGETS");
                            for (Alias alias : users.aliases(domain)) {
                                table.row(alias.address(), String.join(", ", alias.targets()));
                            }
                            for (String d : domain == null ? users.domains() : List.of(domain)) {
                                String target = users.catchAll(d);
                                if (target != null) {
                                    table.row("*@" + d, target);
                                }
                            }
                            table.print(call.out());
                        }),
                new AdminCommand("alias-catchall", "DOMAIN [TARGET]",
                        "Sends mail for unknown addresses of a domain to TARGET (an account or external address);"
                                + " without TARGET, removes the catch-all.",
                        List.of(), 1, 2, call -> {
                            services.users().setCatchAll(call.argument(0), call.optionalArgument(1).orElse(null));
                            call.out().println(call.optionalArgument(1)
                                    .map(t -> "Catch-all of " + call.argument(0) + " -> " + t)
                                    .orElse("Catch-all of " + call.argument(0) + " removed"));
                        }),
                new AdminCommand("passwd-import", "FILE",
                        "Imports a Dovecot passwd-file (user@domain:{SCHEME}hash:...; quota from userdb_quota_rule):"
                                + " new accounts are added, existing ones get the new hash.",
                        List.of(flag("--create-domains", "add domains that are not local yet (else their lines are skipped)")),
                        1, 1, this::importPasswdFile));
    }

    private void addUser(Invocation call) throws Exception {
        String address = call.argument(0);
        UserAdmin users = services.users();
        long quotaBytes = call.size("--quota-bytes").orElse(-1L);
        long quotaMessages = call.count("--quota-messages").orElse(-1L);
        String hash = call.option("--hash").orElse(null);
        char[] password = hash != null || call.flag("--no-password") ? null : password(call, address);
        try {
            String name = users.addUser(address, password, quotaBytes, quotaMessages).name();
            if (hash != null) {
                users.setPasswordHash(name, hash);
            }
            call.out().println("Account " + name + " added");
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** The password from --password-file, or asked for. */
    private static char[] password(Invocation call, String account) throws Exception {
        if (call.option("--password-file").isEmpty()) {
            return call.secret("Password for " + account + ": ");
        }
        Path file = call.file(call.option("--password-file").get());
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            if (line == null || line.isEmpty()) {
                throw new CommandFailure(file + ": the first line is empty; it should hold the password");
            }
            return line.toCharArray();
        } catch (NoSuchFileException e) {
            throw new CommandFailure(file + " does not exist");
        } catch (IOException e) {
            throw new CommandFailure("cannot read " + file + ": " + e.getMessage());
        }
    }

    private void importPasswdFile(Invocation call) throws Exception {
        Path file = call.file(call.argument(0));
        UserAdmin users = services.users();
        ImportResult result;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            result = users.importPasswdFile(reader, call.flag("--create-domains"));
        } catch (NoSuchFileException e) {
            throw new CommandFailure(file + " does not exist");
        }
        call.out().println(file + ": " + result.added() + " accounts added, " + result.updated() + " updated, "
                + result.errors().size() + " lines skipped");
        result.errors().forEach(error -> call.out().println("  " + error));
        if (!result.errors().isEmpty()) {
            throw new CommandFailure(result.errors().size() + " lines of " + file + " were not imported");
        }
    }

    private static String limit(long quota) {
        return quota == 0 ? "-" : Long.toString(quota);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
