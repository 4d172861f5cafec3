package org.posthorn.queue.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.queue.RecipientState;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;
import org.posthorn.api.user.PasswordHasher;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.queue.TestDatabase;
import org.posthorn.queue.TestMail;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.ParsedDsn;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.store.DerbyMailboxStore;
import org.posthorn.store.StoreSettings;
import org.posthorn.store.user.DerbyUserDirectory;

/**
 * Local delivery into the real Derby mailbox store, resolved by its real user directory, on the
 * one database the queue uses too (as in the distribution). Remote delivery is the fake, so
 * forwards and bounces to other domains are seen there. Each test uses accounts of its own.
 */
class DerbyStoreDeliveryTest {

    private static final String SENDER = "alice@sender.test";

    @TempDir
    static Path classFolder;

    private static TestDatabase database;
    private static DerbyMailboxStore store;
    private static DerbyUserDirectory users;

    private QueueHarness queue;

    @BeforeAll
    static void openStore() throws Exception {
        database = TestDatabase.open(classFolder);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(database.dataSource());
        store = new DerbyMailboxStore(StoreSettings.DEFAULTS, database.dataSource(), migrator);
        users = new DerbyUserDirectory(StoreSettings.DEFAULTS, database.dataSource(), migrator, new NoPasswords());
        users.addDomain("example.org");
    }

    @AfterAll
    static void closeStore() {
        store.close();
        database.close();
    }

    @BeforeEach
    void startQueue(@TempDir Path folder) throws Exception {
        database.clear();
        queue = QueueHarness.start(Files.createDirectories(folder), database, QueueHarness.settings(), store, users);
    }

    @AfterEach
    void stopQueue() {
        queue.close();
    }

    @Test
    void eachAccountFindsItsCopyInItsInboxWithReturnPathAndDeliveredTo() throws Exception {
        addUsers("bob@example.org", "carol@example.org");
        byte[] message = TestMail.message("into derby");
        queue.send(TestMail.envelope(SENDER, "bob@example.org", "carol@example.org"), message);
        queue.awaitQuiet();

        for (String account : List.of("bob@example.org", "carol@example.org")) {
            List<StoredMessage> inbox = store.fetch(account, "INBOX", UidSet.ALL);
            assertThat(inbox).hasSize(1);
            assertThat(text(inbox.get(0))).isEqualTo("Return-Path: <" + SENDER + ">\r\nDelivered-To: " + account + "\r\n"
                    + new String(message, StandardCharsets.UTF_8));
            assertThat(inbox.get(0).meta().internalDate()).isEqualTo(QueueHarness.START);
        }
    }

    @Test
    void aliasesAndTheCatchAllAreResolvedByTheStoresDirectory() throws Exception {
        addUsers("dave@example.org", "erin@example.org", "frank@example.org");
        users.addAlias("team@example.org", "dave@example.org");
        users.addAlias("team@example.org", "erin@example.org");
        users.addAlias("team@example.org", "ext@remote.test");
        users.addDomain("catchall.test");
        users.setCatchAll("catchall.test", "frank@example.org");

        queue.send(TestMail.envelope(SENDER, "team@example.org", "whoever@catchall.test"), TestMail.message("aliases"));
        queue.awaitQuiet();

        assertThat(inbox("dave@example.org")).singleElement().asString().contains("Delivered-To: dave@example.org\r\n");
        assertThat(inbox("erin@example.org")).singleElement().asString().contains("Delivered-To: erin@example.org\r\n");
        assertThat(inbox("frank@example.org")).singleElement().asString()
                .startsWith("Return-Path: <" + SENDER + ">\r\nDelivered-To: frank@example.org\r\n");
        assertThat(queue.remote.mail()).singleElement().satisfies(call -> {
            assertThat(call.addresses()).containsExactly("ext@remote.test");
            assertThat(call.envelope().sender()).hasToString(SENDER);
        });
        assertThat(queue.remote.dsns()).isEmpty();
    }

    @Test
    void aFilterFilesTheCopyIntoAMailboxTheStoreCreatesForIt() throws Exception {
        addUsers("gina@example.org", "hugo@example.org");
        queue.filters.add(m -> {
            m.fileInto(MailAddress.parse("gina@example.org"), "Newsletters");
            return FilterVerdict.CONTINUE;
        }, 0, 1L);

        queue.send(TestMail.envelope(SENDER, "gina@example.org", "hugo@example.org"), TestMail.message("filed"));
        queue.awaitQuiet();

        assertThat(inbox("gina@example.org")).isEmpty();
        assertThat(store.fetch("gina@example.org", "Newsletters", UidSet.ALL)).singleElement()
                .satisfies(m -> assertThat(text(m)).startsWith("Return-Path: <" + SENDER + ">\r\nDelivered-To: gina@example.org\r\n"));
        assertThat(inbox("hugo@example.org")).as("the filter chose for gina only").hasSize(1);
    }

    @Test
    void aFullMailboxDefersWithoutBouncingAndBouncesOnceTheQuotaGraceIsOver() throws Exception {
        users.addUser("ivy@example.org", null, 0, 1);
        queue.send(TestMail.envelope(SENDER, "ivy@example.org"), TestMail.message("fits"));
        queue.awaitQuiet();
        String id = queue.send(TestMail.envelope(SENDER, "ivy@example.org"), TestMail.message("does not fit"));
        queue.awaitQuiet();

        assertThat(queue.entry(id).recipients()).filteredOn(r -> "ivy@example.org".equals(r.account())).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo(RecipientState.DEFERRED);
            assertThat(r.statusCode()).isEqualTo("4.2.2");
        });
        queue.advance(Duration.ofHours(12));
        queue.awaitQuiet();
        assertThat(queue.exists(id)).as("still waiting for room within quota.grace").isTrue();
        assertThat(failures()).isEmpty();

        queue.retryUntilGoneOr(id, Duration.ofDays(2));

        assertThat(queue.exists(id)).isFalse();
        assertThat(queue.clock.instant()).isAfterOrEqualTo(QueueHarness.START.plus(QueueHarness.settings().quotaGrace()));
        assertThat(failures()).singleElement().satisfies(failed -> {
            assertThat(failed).containsEntry("Final-Recipient", "rfc822; ivy@example.org").containsEntry("Status", "5.2.2");
            assertThat(failed.get("Diagnostic-Code")).contains("mailbox full");
        });
        assertThat(inbox("ivy@example.org")).as("only the first message").hasSize(1);
    }

    private static void addUsers(String... accounts) throws Exception {
        for (String account : accounts) {
            users.addUser(account, null, 0, 0);
        }
    }

    private static List<String> inbox(String account) throws Exception {
        List<String> texts = new ArrayList<>();
        for (StoredMessage m : store.fetch(account, "INBOX", UidSet.ALL)) {
            texts.add(text(m));
        }
        return texts;
    }

    private static String text(StoredMessage message) throws IOException {
        try (InputStream in = message.source().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The per-recipient fields of every "failed" report the sender got. */
    private List<java.util.Map<String, String>> failures() throws IOException {
        List<java.util.Map<String, String>> failed = new ArrayList<>();
        for (FakeRemote.Call call : queue.remote.dsns()) {
            ParsedDsn.parse(call.message()).status.stream().filter(r -> "failed".equals(r.get("Action"))).forEach(failed::add);
        }
        return failed;
    }

    /** Accounts here never log in: the directory needs a hasher, not these tests. */
    private static final class NoPasswords implements PasswordHasher {
        @Override
        public String hash(char[] password) {
            throw new UnsupportedOperationException("no passwords in these tests");
        }

        @Override
        public boolean verify(char[] password, String storedHash) {
            return false;
        }

        @Override
        public boolean needsRehash(String storedHash) {
            return false;
        }
    }
}
