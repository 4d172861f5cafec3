package org.posthorn.imap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.posthorn.imap.session.ImapFixture;
import org.posthorn.store.StoreSettings;

/**
 * NOT A TEST: the IMAP server on the real store for {@code bench/imap/run.sh} and for running
 * Dovecot's imaptest against it (docs/conformance.md). Creates users {@code user1..userN@example.org}
 * (password {@code pass}) with {@code example.org} as the default domain, so that imaptest's
 * {@code user%d} logins work as they do against the reference Dovecot. Listens on 127.0.0.1:PORT
 * with the shipped limits except plaintext logins allowed (as the reference peers) and no limit on
 * connections from one address, prints {@code READY} and serves until its standard input closes.
 * Passwords are Argon2id at the cheapest cost (the reference Dovecot stores them in clear).
 *
 * <p>Arguments: {@code folder port users}.
 */
public final class ImapBenchmarkServer {

    private ImapBenchmarkServer() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        int users = Integer.parseInt(args[2]);
        Files.createDirectories(folder);
        ImapServer.Config config = ImapFixture.config(ImapServer.Config.class, Map.of("bind_address", "127.0.0.1",
                "imap_port", port, "imaps_port", -1, "plaintext_login_allowed", true,
                "max_connections_per_address", 1000));
        StoreSettings store = new StoreSettings("example.org", 0, 0, StoreSettings.DEFAULTS.deadlockRetries());
        try (ImapFixture server = new ImapFixture(Files.createTempDirectory(folder, "imap-bench"), store,
                defaults -> ImapServer.settings(config))) {
            for (int i = 1; i <= users; i++) {
                server.users.addUser("user" + i + "@example.org", "pass".toCharArray(), 0, 0);
            }
            System.out.println("READY " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the runner closes our standard input
            }
        }
    }
}
