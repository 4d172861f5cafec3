package org.posthorn.shell.command;

import static org.posthorn.shell.command.Option.flag;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.posthorn.api.user.UserAdmin.AccountInfo;
import org.posthorn.net.ListenerStatus;
import org.posthorn.net.ProtocolServer;

/** {@code status} (the whole instance at a glance) and {@code tls-info}. */
final class StatusCommands {

    static final String TLS_PID = "org.posthorn.tls";

    private final Services services;

    StatusCommands(Services services) {
        this.services = services;
    }

    List<AdminCommand> commands() {
        return List.of(
                new AdminCommand("status", "",
                        "Shows the listeners with their ports and connections, the queue by state, the mailbox store"
                                + " and the data folder's size, and the versions of Posthorn's bundles.",
                        List.of(), 0, 0, this::status),
                new AdminCommand("tls-info", "",
                        "Shows the TLS certificate every listener serves: subject, names, issuer, validity,"
                                + " fingerprint, and where it comes from.",
                        List.of(flag("--reload", "read the configured certificate files again now (otherwise"
                                + " they are checked every reload.interval.seconds)")),
                        0, 0, this::tlsInfo));
    }

    private void status(Invocation call) {
        PrintStream out = call.out();
        out.println("Listeners:");
        Table listeners = new Table("  PROTOCOL", "LISTENER", "ADDRESS", "TLS", "CONNECTIONS", "ACCEPTED", "ERRORS");
        List<ProtocolServer> servers = services.servers();
        for (ProtocolServer server : servers) {
            for (ListenerStatus l : server.listeners()) {
                String address = l.boundAddress().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                        .orElse("not listening: " + l.bindFailure().orElse("?"));
                listeners.row("  " + server.settings().name(), l.spec().name(), address,
                        l.spec().tls().name().toLowerCase(java.util.Locale.ROOT), l.currentConnections(), l.accepted(),
                        l.errors());
            }
        }
        if (servers.isEmpty()) {
            out.println("  none (no protocol bundle is running)");
        } else {
            listeners.print(out);
        }
        out.println("Queue:   " + orUnavailable(() -> QueueCommands.depth(services.queue().counts())));
        out.println("Store:   " + orUnavailable(() -> {
            List<AccountInfo> accounts = services.users().users(null);
            return Table.count(services.users().domains().size(), "domain") + ", " + Table.count(accounts.size(), "account")
                    + ", " + Table.count(accounts.stream().mapToLong(AccountInfo::usedMessages).sum(), "message") + ", "
                    + Table.bytes(accounts.stream().mapToLong(AccountInfo::usedBytes).sum());
        }));
        Path data = services.dataFolder();
        out.println("Data:    " + data.toAbsolutePath() + ", " + orUnavailable(() -> Table.bytes(size(data))) + " on disk");
        out.println("Bundles:");
        Table bundles = new Table("  BUNDLE", "VERSION", "STATE");
        services.bundles().forEach(b -> bundles.row("  " + b.name(), b.version(), b.state()));
        bundles.print(out);
    }

    /** What {@code value} says, or why it cannot be said (a stopped service), so status always prints. */
    private static String orUnavailable(Part value) {
        try {
            return value.get();
        } catch (CommandFailure e) {
            return e.getMessage();
        } catch (Exception e) {
            return "unavailable: " + e.getMessage();
        }
    }

    @FunctionalInterface
    private interface Part {
        String get() throws Exception;
    }

    private static long size(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0; // a file removed while we walk (a spool file delivered)
                }
            }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void tlsInfo(Invocation call) throws Exception {
        PrintStream out = call.out();
        Optional<Map<String, Object>> config = services.configuration(TLS_PID);
        String certificate = config.map(c -> (String) c.get("certificate")).orElse("");
        if (call.flag("--reload")) {
            services.reapply(TLS_PID);
            out.println(certificate.isBlank() ? "TLS configuration applied again (self-signed certificate)"
                    : "TLS certificate files read again");
        }
        List<X509Certificate> chain = services.tls().certificateChain();
        X509Certificate leaf = chain.get(0);
        out.println("Subject:      " + leaf.getSubjectX500Principal().getName());
        out.println("Names:        " + names(leaf));
        out.println("Issuer:       " + leaf.getIssuerX500Principal().getName()
                + (leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()) ? " (self-signed)" : ""));
        out.println("Valid from:   " + QueueCommands.TIME.format(leaf.getNotBefore().toInstant()));
        Instant expiry = leaf.getNotAfter().toInstant();
        long days = Duration.between(Instant.now(), expiry).toDays();
        out.println("Expires:      " + QueueCommands.TIME.format(expiry)
                + (expiry.isBefore(Instant.now()) ? " (EXPIRED)" : " (in " + days + " days)"));
        out.println("SHA-256:      " + HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded())));
        out.println("Chain:        " + Table.count(chain.size(), "certificate"));
        if (certificate.isBlank()) {
            out.println("Source:       self-signed, kept in " + services.dataFolder().resolve("tls"));
        } else {
            Object key = config.get().get("private.key");
            out.println("Source:       " + certificate + (key == null || key.toString().isBlank() ? "" : " and " + key));
            out.println("Reload:       files checked for a renewal every "
                    + config.get().getOrDefault("reload.interval.seconds", "60") + " s");
        }
    }

    private static String names(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names == null) {
            return "-";
        }
        return names.stream().map(n -> String.valueOf(n.get(1))).reduce((a, b) -> a + ", " + b).orElse("-");
    }
}
