package org.posthorn.imap.session;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of tests against a running server: one server and database per test class (creating one takes seconds). */
abstract class ImapServerTest {

    @TempDir
    static Path dir;
    static ImapFixture imap;

    @BeforeAll
    static void startServer() throws Exception {
        imap = new ImapFixture(dir);
    }

    @AfterAll
    static void stopServer() {
        imap.close();
    }

    /** A connection on the plain port, greeting read, logged in as {@code user}. */
    static ImapClient loggedIn(String user) throws Exception {
        ImapClient client = ImapClient.connect(imap.port());
        client.line();
        client.login(user);
        return client;
    }
}
