package org.posthorn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.CopyResult;
import org.posthorn.api.store.Delivery;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxChanges;
import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MailboxSnapshot;
import org.posthorn.api.store.MailboxStatus;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.MimePart;
import org.posthorn.api.store.NewMessage;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;

class MailboxStoreTest {

    /** One database for the class (creating one takes seconds); each test has its own account. */
    @TempDir
    static Path dir;
    private static StoreFixture fixture;
    private static DerbyMailboxStore store;
    private static final AtomicInteger ACCOUNTS = new AtomicInteger();
    private static final List<MailboxEvent> ALL_EVENTS = new CopyOnWriteArrayList<>();

    private String alice;
    private List<MailboxEvent> events;

    @BeforeAll
    static void createDatabase() throws Exception {
        fixture = new StoreFixture(dir);
        store = fixture.store;
        fixture.directory.addDomain("example.org");
        store.addListener(ALL_EVENTS::add);
    }

    @AfterAll
    static void closeDatabase() {
        fixture.close();
    }

    @BeforeEach
    void createAccount() throws Exception {
        alice = "alice" + ACCOUNTS.incrementAndGet() + "@example.org";
        fixture.directory.addUser(alice, "secret".toCharArray(), 0, 0);
        String account = alice;
        events = new FilteredList(account);
        store.purge();
    }

    /** The events of this test's account. */
    private static final class FilteredList extends java.util.AbstractList<MailboxEvent> {
        private final String account;

        FilteredList(String account) {
            this.account = account;
        }

        private List<MailboxEvent> current() {
            return ALL_EVENTS.stream().filter(e -> e.account().equals(account)).toList();
        }

        @Override
        public MailboxEvent get(int index) {
            return current().get(index);
        }

        @Override
        public int size() {
            return current().size();
        }
    }

    private AppendResult append(String mailbox, String text, String... flags) throws StoreException {
        return store.append(alice, mailbox, Messages.source(text), Set.of(flags), null);
    }

    private AppendResult appendSimple(String subject) throws StoreException {
        return append("INBOX", Messages.simple("bob@example.com", alice, subject, "body of " + subject));
    }

    @Test
    void newAccountHasTheStandardMailboxesSubscribed() throws Exception {
        List<MailboxInfo> boxes = store.mailboxes(alice);
        assertThat(boxes).extracting(MailboxInfo::name)
                .containsExactly("Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash");
        assertThat(boxes).allMatch(MailboxInfo::subscribed);
        assertThat(store.mailbox(alice, "Sent").specialUse()).containsExactly(SpecialUse.SENT);
        assertThat(store.mailbox(alice, "inbox").name()).isEqualTo("INBOX");
        assertThat(store.subscriptions(alice)).contains("INBOX", "Trash");
    }

    @Test
    void createMakesParentsAndRefusesDuplicatesAndBadNames() throws Exception {
        store.create(alice, "Work/Projects/2026", Set.of());
        assertThat(store.mailboxes(alice)).extracting(MailboxInfo::name)
                .contains("Work", "Work/Projects", "Work/Projects/2026");
        assertThat(store.mailbox(alice, "Work").hasChildren()).isTrue();
        assertThat(store.mailbox(alice, "Work/Projects/2026").hasChildren()).isFalse();
        assertThatThrownBy(() -> store.create(alice, "Work", Set.of())).isInstanceOf(StoreException.class)
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.ALREADY_EXISTS);
        assertThatThrownBy(() -> store.create(alice, "Inbox", Set.of()))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.ALREADY_EXISTS);
        for (String bad : List.of("", "/a", "a/", "a//b", "a*b", "a%", "x\ty")) {
            assertThatThrownBy(() -> store.create(alice, bad, Set.of()))
                    .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.INVALID_NAME);
        }
        assertThatThrownBy(() -> store.create("nobody@example.org", "X", Set.of()))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NO_SUCH_ACCOUNT);
    }

    @Test
    void renameMovesChildrenKeepsUidsAndUidValidity() throws Exception {
        store.create(alice, "A/B", Set.of());
        AppendResult appended = append("A/B", Messages.simple("x@y", alice, "kept", "text"));
        long uidValidity = store.status(alice, "A/B").uidValidity();
        store.rename(alice, "A", "Z/A");
        assertThat(store.mailboxes(alice)).extracting(MailboxInfo::name).contains("Z", "Z/A", "Z/A/B")
                .doesNotContain("A", "A/B");
        assertThat(store.status(alice, "Z/A/B").uidValidity()).isEqualTo(uidValidity);
        assertThat(store.mailboxById(alice, uidValidity).name()).as("found by id after the rename").isEqualTo("Z/A/B");
        String other = "other-" + alice;
        fixture.directory.addUser(other, null, 0, 0);
        assertThatThrownBy(() -> store.mailboxById(other, uidValidity))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NO_SUCH_MAILBOX);
        assertThat(store.messages(alice, "Z/A/B", UidSet.ALL)).extracting(MessageMeta::uid)
                .containsExactly(appended.uid());
        assertThatThrownBy(() -> store.rename(alice, "Z", "Z/A/C"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NOT_ALLOWED);
        assertThatThrownBy(() -> store.rename(alice, "Sent", "Trash"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.ALREADY_EXISTS);
        await().untilAsserted(() -> assertThat(events).filteredOn(e -> e.kind() == MailboxEvent.Kind.RENAMED)
                .extracting(MailboxEvent::newName).containsExactlyInAnyOrder("Z/A", "Z/A/B"));
    }

    @Test
    void renamingInboxMovesItsMessagesAndLeavesItEmpty() throws Exception {
        appendSimple("one");
        appendSimple("two");
        store.rename(alice, "INBOX", "Old");
        assertThat(store.status(alice, "INBOX").messages()).isZero();
        assertThat(store.status(alice, "Old").messages()).isEqualTo(2);
        assertThat(store.vanishedSince(alice, "INBOX", 0)).isEqualTo(UidSet.of(List.of(new UidSet.Range(1, 2))));
        assertThat(store.append(alice, "INBOX", Messages.source(Messages.simple("a@b", alice, "3", "x")), Set.of(), null)
                .uid()).as("UIDs are not reused").isEqualTo(3);
    }

    @Test
    void deleteRemovesMessagesButNeverInboxOrAParent() throws Exception {
        store.create(alice, "P/C", Set.of());
        append("P/C", Messages.simple("a@b", alice, "s", "b"));
        int contents = fixture.contentRows();
        assertThatThrownBy(() -> store.delete(alice, "INBOX"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NOT_ALLOWED);
        assertThatThrownBy(() -> store.delete(alice, "P"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NOT_ALLOWED);
        store.delete(alice, "P/C");
        store.delete(alice, "P");
        assertThat(store.quota(alice).usedMessages()).isZero();
        assertThatThrownBy(() -> store.status(alice, "P/C"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NO_SUCH_MAILBOX);
        store.create(alice, "P", Set.of());
        assertThat(store.mailbox(alice, "P").uidValidity()).as("a new mailbox gets a new UIDVALIDITY")
                .isGreaterThan(store.mailbox(alice, "Archive").uidValidity());
        await().untilAsserted(() -> assertThat(fixture.contentRows()).isEqualTo(contents - 1));
    }

    @Test
    void subscriptionsNeedNotExist() throws Exception {
        store.subscribe(alice, "Ghost/Box", true);
        store.subscribe(alice, "Ghost/Box", true);
        store.subscribe(alice, "Junk", false);
        assertThat(store.subscriptions(alice)).contains("Ghost/Box").doesNotContain("Junk");
        assertThat(store.mailbox(alice, "Junk").subscribed()).isFalse();
    }

    @Test
    void appendAssignsIncreasingUidsAndModSeqsAndStoresTheRawBytes() throws Exception {
        Instant date = Instant.parse("2026-01-02T03:04:05Z");
        MessageSource source = Messages.source(Messages.NESTED);
        AppendResult first = store.append(alice, "INBOX", source, Set.of("\\Seen", "$Label1"), date);
        AppendResult second = appendSimple("second");
        assertThat(second.uid()).isEqualTo(first.uid() + 1);
        assertThat(second.modSeq()).isGreaterThan(first.modSeq());
        assertThat(first.uidValidity()).isEqualTo(store.status(alice, "INBOX").uidValidity());

        StoredMessage m = store.message(alice, "INBOX", first.uid());
        assertThat(m.meta().internalDate()).isEqualTo(date);
        assertThat(m.meta().flags()).containsExactlyInAnyOrder("\\Seen", "$Label1");
        assertThat(m.meta().size()).isEqualTo(source.size());
        assertThat(read(m.source().openStream())).isEqualTo(Messages.NESTED);
        assertThat(m.envelope().messageId()).isEqualTo("<nested-1@example.org>");
        MimePart pdf = m.structure().part("4");
        assertThat(read(m.source().openRange(pdf.bodyStart(), pdf.bodySize()))).startsWith("JVBERi0x");
        try (InputStream decoded = m.source().openDecoded(pdf)) {
            byte[] bytes = decoded.readAllBytes();
            assertThat(bytes).hasSize((int) pdf.decodedSize());
            assertThat(new String(bytes, StandardCharsets.US_ASCII)).startsWith("%PDF-1.4");
        }
        assertThat(read(m.source().openRange(m.structure().bodyStart(), 22))).isEqualTo("This is the preamble.\r");
        assertThatThrownBy(() -> store.message(alice, "INBOX", 999))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NO_SUCH_MESSAGE);
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aStreamStaysReadableAfterTheCallAndALargeMessageIsStreamed() throws Exception {
        byte[] big = new byte[6 * 1024 * 1024];
        byte[] header = "Subject: big\r\nContent-Type: application/octet-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, big, 0, header.length);
        for (int i = header.length; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        AppendResult r = store.append(alice, "INBOX", MessageSource.ofBytes(big), Set.of(), null);
        StoredMessage m = store.message(alice, "INBOX", r.uid());
        try (InputStream in = m.source().openStream()) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
        try (InputStream in = m.source().openRange(big.length - 10, 100)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(big, big.length - 10, big.length));
        }
    }

    @Test
    void aStreamOpenedBeforeExpungeIsReadToTheEndAndTheContentGoesAfterwards() throws Exception {
        long uid = appendSimple("going").uid();
        StoredMessage m = store.message(alice, "INBOX", uid);
        try (InputStream open = m.source().openStream()) {
            store.updateFlags(alice, "INBOX", UidSet.ofUids(uid), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
            assertThat(store.expunge(alice, "INBOX", UidSet.ALL)).isEqualTo(UidSet.ofUids(uid));
            assertThat(new String(open.readAllBytes(), StandardCharsets.UTF_8)).contains("Subject: going");
        }
        store.purge();
        assertThatThrownBy(() -> m.source().openStream()).isInstanceOf(IOException.class);
    }

    @Test
    void fetchReturnsStructureAndEnvelopeForManyMessagesAtOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            appendSimple("subject " + i);
        }
        List<StoredMessage> all = store.fetch(alice, "INBOX", UidSet.of(List.of(new UidSet.Range(2, 4))));
        assertThat(all).extracting(m -> m.envelope().subject()).containsExactly("subject 1", "subject 2", "subject 3");
        assertThat(all.get(0).structure().lines()).isEqualTo(1);
    }

    @Test
    void flagUpdatesBumpModSeqOnlyForRealChangesAndHonourUnchangedSince() throws Exception {
        long uid1 = appendSimple("a").uid();
        long uid2 = appendSimple("b").uid();
        long before = store.status(alice, "INBOX").highestModSeq();

        FlagUpdate add = store.updateFlags(alice, "INBOX", UidSet.ALL, FlagUpdate.Mode.ADD, Set.of("\\Seen", "Work"), -1);
        assertThat(add.changed()).extracting(MessageMeta::uid).containsExactly(uid1, uid2);
        long afterAdd = store.status(alice, "INBOX").highestModSeq();
        assertThat(afterAdd).isEqualTo(before + 1);
        assertThat(add.changed()).allMatch(m -> m.modSeq() == afterAdd);

        FlagUpdate again = store.updateFlags(alice, "INBOX", UidSet.ALL, FlagUpdate.Mode.ADD, Set.of("\\SEEN", "work"), -1);
        assertThat(again.changed()).isEmpty();
        assertThat(store.status(alice, "INBOX").highestModSeq()).as("no change, no MODSEQ").isEqualTo(afterAdd);

        store.updateFlags(alice, "INBOX", UidSet.ofUids(uid2), FlagUpdate.Mode.ADD, Set.of("\\Flagged"), -1);
        FlagUpdate conditional = store.updateFlags(alice, "INBOX", UidSet.ALL, FlagUpdate.Mode.REMOVE,
                Set.of("\\Seen"), afterAdd);
        assertThat(conditional.changed()).extracting(MessageMeta::uid).containsExactly(uid1);
        assertThat(conditional.modified()).isEqualTo(UidSet.ofUids(uid2));

        store.updateFlags(alice, "INBOX", UidSet.ofUids(uid1), FlagUpdate.Mode.REPLACE, Set.of("\\Draft", "$X"), -1);
        assertThat(store.messages(alice, "INBOX", UidSet.ofUids(uid1)).get(0).flags())
                .containsExactlyInAnyOrder("\\Draft", "$X");
        assertThat(store.changedSince(alice, "INBOX", afterAdd)).extracting(MessageMeta::uid).containsExactly(uid1, uid2);
        assertThatThrownBy(() -> store.updateFlags(alice, "INBOX", UidSet.ALL, FlagUpdate.Mode.ADD, Set.of("\\Bogus"), -1))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.NOT_ALLOWED);
    }

    @Test
    void expungeRemovesOnlyDeletedMessagesAndRemembersTheirUids() throws Exception {
        long a = appendSimple("a").uid();
        long b = appendSimple("b").uid();
        long c = appendSimple("c").uid();
        int contents = fixture.contentRows();
        store.updateFlags(alice, "INBOX", UidSet.ofUids(a, c), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        long modSeq = store.status(alice, "INBOX").highestModSeq();
        assertThat(store.expunge(alice, "INBOX", UidSet.ofUids(a, b))).isEqualTo(UidSet.ofUids(a));
        assertThat(store.expunge(alice, "INBOX", UidSet.ALL)).isEqualTo(UidSet.ofUids(c));
        assertThat(store.expunge(alice, "INBOX", UidSet.ALL)).isEqualTo(UidSet.EMPTY);
        assertThat(store.messages(alice, "INBOX", UidSet.ALL)).extracting(MessageMeta::uid).containsExactly(b);
        assertThat(store.vanishedSince(alice, "INBOX", modSeq)).isEqualTo(UidSet.ofUids(a, c));
        assertThat(store.vanishedSince(alice, "INBOX", modSeq + 1)).isEqualTo(UidSet.ofUids(c));
        assertThat(store.quota(alice).usedMessages()).isEqualTo(1);
        await().untilAsserted(() -> assertThat(fixture.contentRows()).isEqualTo(contents - 2));
    }

    @Test
    void expungeOfAThousandMessagesInOneCallLeavesExactlyTheOthersAndFreesTheirQuota() throws Exception {
        List<NewMessage> batch = new java.util.ArrayList<>();
        for (int i = 1; i <= 1200; i++) {
            // every sixth message is kept: the deleted ones form 200 separate UID ranges
            Set<String> flags = i % 6 == 0 ? Set.of("\\Seen") : Set.of("\\Deleted");
            batch.add(new NewMessage(Messages.source(Messages.simple("a@b", alice, "m" + i, "body " + i)), flags, null));
        }
        store.appendAll(alice, "INBOX", batch);
        store.purge();
        int contents = fixture.contentRows();
        long keptBytes = store.messages(alice, "INBOX", UidSet.ALL).stream().filter(m -> m.uid() % 6 == 0)
                .mapToLong(MessageMeta::size).sum();
        long modSeq = store.status(alice, "INBOX").highestModSeq();

        UidSet removed = store.expunge(alice, "INBOX", UidSet.ALL);

        assertThat(removed.size()).isEqualTo(1000);
        assertThat(java.util.Arrays.stream(removed.toArray())).allMatch(uid -> uid % 6 != 0);
        assertThat(store.messages(alice, "INBOX", UidSet.ALL)).extracting(MessageMeta::uid)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 200).map(i -> i * 6).boxed().toList());
        assertThat(store.quota(alice).usedMessages()).isEqualTo(200);
        assertThat(store.quota(alice).usedBytes()).isEqualTo(keptBytes);
        assertThat(store.status(alice, "INBOX").highestModSeq()).isEqualTo(modSeq + 1);
        assertThat(store.vanishedSince(alice, "INBOX", modSeq)).isEqualTo(removed);
        store.purge();
        assertThat(fixture.contentRows()).isEqualTo(contents - 1000);
    }

    @Test
    void anExpungeThatFindsNothingChangesNoModSeqAndTellsNobody() throws Exception {
        long uid = appendSimple("kept").uid();
        store.updateFlags(alice, "INBOX", UidSet.ofUids(uid), FlagUpdate.Mode.ADD, Set.of("\\Seen"), -1);
        long modSeq = store.status(alice, "INBOX").highestModSeq();
        await().until(() -> events.size() == 2);

        assertThat(store.expunge(alice, "INBOX", UidSet.ALL)).isEqualTo(UidSet.EMPTY);
        assertThat(store.expunge(alice, "INBOX", UidSet.ofUids(uid + 100))).isEqualTo(UidSet.EMPTY);

        assertThat(store.status(alice, "INBOX").highestModSeq()).isEqualTo(modSeq);
        long next = appendSimple("next").uid();
        assertThat(next).isEqualTo(uid + 1);
        await().until(() -> events.size() == 3);
        assertThat(events).extracting(MailboxEvent::kind).containsExactly(MailboxEvent.Kind.ADDED,
                MailboxEvent.Kind.FLAGS, MailboxEvent.Kind.ADDED);
        assertThat(events.get(2).modSeq()).as("MODSEQs stay consecutive").isEqualTo(modSeq + 1);
    }

    @Test
    void removeTakesMessagesWhateverTheirFlagsInOneChange() throws Exception {
        long a = appendSimple("a").uid();
        long b = append("INBOX", Messages.simple("x@y", alice, "b", "B"), "\\Flagged").uid();
        long c = appendSimple("c").uid();
        store.copy(alice, "INBOX", UidSet.ofUids(b), "Archive");
        store.purge();
        int contents = fixture.contentRows();
        long modSeq = store.status(alice, "INBOX").highestModSeq();
        long removedBytes = store.messages(alice, "INBOX", UidSet.ofUids(a, b)).stream()
                .mapToLong(MessageMeta::size).sum();
        long used = store.quota(alice).usedBytes();

        assertThat(store.remove(alice, "INBOX", UidSet.ofUids(a, b, c + 7))).isEqualTo(UidSet.ofUids(a, b));

        assertThat(store.messages(alice, "INBOX", UidSet.ALL)).extracting(MessageMeta::uid).containsExactly(c);
        assertThat(store.status(alice, "INBOX").highestModSeq()).isEqualTo(modSeq + 1);
        assertThat(store.vanishedSince(alice, "INBOX", modSeq)).isEqualTo(UidSet.ofUids(a, b));
        assertThat(store.quota(alice).usedMessages()).isEqualTo(2);
        assertThat(store.quota(alice).usedBytes()).isEqualTo(used - removedBytes);
        store.purge();
        assertThat(fixture.contentRows()).as("b's copy in Archive keeps its content").isEqualTo(contents - 1);
        assertThat(store.fetch(alice, "Archive", UidSet.ALL)).hasSize(1);
    }

    @Test
    void changesReportsWhatASessionMissedInOneCall() throws Exception {
        long a = appendSimple("a").uid();
        long b = appendSimple("b").uid();
        MailboxSnapshot selected = store.select(alice, "INBOX", false);
        long since = selected.status().highestModSeq();
        store.updateFlags(alice, "INBOX", UidSet.ofUids(a), FlagUpdate.Mode.ADD, Set.of("\\Deleted", "\\Seen"), -1);
        store.expunge(alice, "INBOX", UidSet.ALL);
        store.updateFlags(alice, "INBOX", UidSet.ofUids(b), FlagUpdate.Mode.ADD, Set.of("\\Flagged"), -1);
        long c = appendSimple("c").uid();

        MailboxChanges changes = store.changes(alice, "INBOX", since, since, true);

        assertThat(changes.highestModSeq()).isEqualTo(store.status(alice, "INBOX").highestModSeq());
        assertThat(changes.vanished()).isEqualTo(UidSet.ofUids(a));
        assertThat(changes.changed()).extracting(MessageMeta::uid).containsExactly(b, c);
        assertThat(changes.changed().get(0).flags()).containsExactly("\\Flagged");
        assertThat(changes.recent()).isEqualTo(UidSet.ofUids(c));
        assertThat(store.status(alice, "INBOX").highestModSeq()).as("claiming \\Recent is no message change")
                .isEqualTo(changes.highestModSeq());

        MailboxChanges again = store.changes(alice, "INBOX", -1, changes.highestModSeq(), true);
        assertThat(again.vanished()).isEqualTo(UidSet.EMPTY);
        assertThat(again.changed()).isEmpty();
        assertThat(again.recent()).as("claimed once").isEqualTo(UidSet.EMPTY);
    }

    @Test
    void copyAndMoveGiveNewUidsKeepFlagsAndShareTheRawMessage() throws Exception {
        long a = append("INBOX", Messages.simple("x@y", alice, "a", "A"), "\\Flagged", "Tag").uid();
        long b = appendSimple("b").uid();
        append("Archive", Messages.simple("x@y", alice, "pre", "P"));
        int contents = fixture.contentRows();

        CopyResult copy = store.copy(alice, "INBOX", UidSet.ofUids(a, b, 77), "Archive");
        assertThat(copy.sourceUids()).containsExactly(a, b);
        assertThat(copy.targetUids()).containsExactly(2L, 3L);
        assertThat(copy.targetUidValidity()).isEqualTo(store.status(alice, "Archive").uidValidity());
        assertThat(store.messages(alice, "Archive", UidSet.ofUids(2)).get(0).flags())
                .containsExactlyInAnyOrder("\\Flagged", "Tag");
        assertThat(store.quota(alice).usedMessages()).isEqualTo(5);

        CopyResult move = store.move(alice, "INBOX", UidSet.ALL, "Trash");
        assertThat(move.targetUids()).containsExactly(1L, 2L);
        assertThat(store.status(alice, "INBOX").messages()).isZero();
        assertThat(store.vanishedSince(alice, "INBOX", 0)).isEqualTo(UidSet.ofUids(a, b));
        assertThat(store.quota(alice).usedMessages()).isEqualTo(5);
        assertThat(read(store.message(alice, "Trash", 1).source().openStream())).contains("Subject: a");
        // RFC 6851: a move within the mailbox gives new UIDs and expunges the old ones
        long trashModSeq = store.status(alice, "Trash").highestModSeq();
        CopyResult within = store.move(alice, "Trash", UidSet.ofUids(1), "Trash");
        assertThat(within.sourceUids()).containsExactly(1L);
        assertThat(within.targetUids()).containsExactly(3L);
        assertThat(store.select(alice, "Trash", true).uids()).isEqualTo(UidSet.ofUids(2, 3));
        assertThat(store.vanishedSince(alice, "Trash", trashModSeq)).isEqualTo(UidSet.ofUids(1));
        assertThat(store.status(alice, "Trash").highestModSeq()).isEqualTo(trashModSeq + 1);
        assertThat(store.quota(alice).usedMessages()).isEqualTo(5);
        assertThat(read(store.message(alice, "Trash", 3).source().openStream())).contains("Subject: a");
        CopyResult copyWithin = store.copy(alice, "Trash", UidSet.ofUids(3), "Trash");
        assertThat(copyWithin.targetUids()).containsExactly(4L);
        assertThat(store.select(alice, "Trash", true).uids()).isEqualTo(UidSet.ofUids(2, 3, 4));
        assertThat(store.quota(alice).usedMessages()).isEqualTo(6);

        store.updateFlags(alice, "Trash", UidSet.ALL, FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        store.expunge(alice, "Trash", UidSet.ALL);
        store.purge();
        assertThat(fixture.contentRows()).as("the copies in Archive still use the raw messages").isEqualTo(contents);
        assertThat(read(store.message(alice, "Archive", 2).source().openStream())).contains("Subject: a");
    }

    @Test
    void oneDeliveryReachesSeveralRecipientsStoredOnceAndReportsEachOne() throws Exception {
        String bob = "bob-" + alice;
        fixture.directory.addUser(bob, null, 0, 1);
        store.append(bob, "INBOX", Messages.source(Messages.simple("a@b", bob, "fills quota", "x")), Set.of(), null);
        int contents = fixture.contentRows();

        List<Delivery.Outcome> outcomes = store.deliver(List.of(Delivery.inbox(alice),
                new Delivery(alice, "Archive", Set.of("\\Seen")), Delivery.inbox(alice), Delivery.inbox(bob),
                Delivery.inbox("ghost@example.org"), new Delivery(alice, "Nope", Set.of()),
                new Delivery(alice, "INBOX", Set.of("\\Bogus"))), Messages.source(Messages.NESTED), null);

        assertThat(outcomes).extracting(Delivery.Outcome::delivered)
                .containsExactly(true, true, true, false, false, false, false);
        assertThat(outcomes.subList(3, 7)).extracting(o -> o.failure().reason()).containsExactly(
                StoreException.Reason.QUOTA_EXCEEDED, StoreException.Reason.NO_SUCH_ACCOUNT,
                StoreException.Reason.NO_SUCH_MAILBOX, StoreException.Reason.NOT_ALLOWED);
        assertThat(outcomes.get(0).result().uid()).isEqualTo(1);
        assertThat(outcomes.get(2).result().uid()).isEqualTo(2);
        assertThat(outcomes.get(0).result().modSeq()).isEqualTo(outcomes.get(2).result().modSeq());
        assertThat(fixture.contentRows()).as("stored once").isEqualTo(contents + 1);
        assertThat(store.messages(alice, "Archive", UidSet.ALL).get(0).flags()).containsExactly("\\Seen");
        assertThat(store.quota(alice).usedMessages()).isEqualTo(3);
        assertThat(store.quota(bob).usedMessages()).isEqualTo(1);

        List<Delivery.Outcome> nobody = store.deliver(List.of(Delivery.inbox(bob)), Messages.source(Messages.NESTED), null);
        assertThat(nobody.get(0).failure().reason()).isEqualTo(StoreException.Reason.QUOTA_EXCEEDED);
        assertThat(fixture.contentRows()).as("nothing stored when nobody takes it").isEqualTo(contents + 1);
        assertThat(store.status(bob, "INBOX").uidNext()).isEqualTo(2);
    }

    @Test
    void quotaIsEnforcedOnAppendAndCopy() throws Exception {
        fixture.directory.setQuota(alice, 0, 2);
        appendSimple("1");
        appendSimple("2");
        assertThatThrownBy(() -> appendSimple("3"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.QUOTA_EXCEEDED);
        assertThatThrownBy(() -> store.copy(alice, "INBOX", UidSet.ALL, "Archive"))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.QUOTA_EXCEEDED);
        store.move(alice, "INBOX", UidSet.ALL, "Archive");

        String msg = Messages.simple("a@b", alice, "s", "x".repeat(1000));
        long used = store.quota(alice).usedBytes();
        fixture.directory.setQuota(alice, used + msg.length() - 1, 0);
        assertThatThrownBy(() -> append("INBOX", msg))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.QUOTA_EXCEEDED);
        assertThat(store.quota(alice).usedMessages()).isEqualTo(2);
        assertThat(store.quota(alice).limitBytes()).isEqualTo(used + msg.length() - 1);
        assertThat(store.status(alice, "INBOX").uidNext()).as("a refused append used no UID").isEqualTo(3);
    }

    @Test
    void appendAllStoresEveryMessageOrNone() throws Exception {
        long before = store.status(alice, "INBOX").highestModSeq();
        List<AppendResult> results = store.appendAll(alice, "INBOX", List.of(
                new NewMessage(Messages.source(Messages.simple("a@b", alice, "m1", "x")), Set.of("\\Seen"), null),
                new NewMessage(Messages.source(Messages.simple("a@b", alice, "m2", "y")), Set.of("$Label1"),
                        Instant.parse("2026-01-02T03:04:05Z"))));
        assertThat(results).extracting(AppendResult::uid).containsExactly(1L, 2L);
        assertThat(results).extracting(AppendResult::modSeq).containsOnly(before + 1);
        List<MessageMeta> stored = store.messages(alice, "INBOX", UidSet.ALL);
        assertThat(stored).extracting(MessageMeta::flags).containsExactly(Set.of("\\Seen"), Set.of("$Label1"));
        assertThat(stored.get(1).internalDate()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(store.status(alice, "INBOX").highestModSeq()).isEqualTo(before + 1);

        fixture.directory.setQuota(alice, 0, 3);
        List<NewMessage> two = List.of(
                new NewMessage(Messages.source(Messages.simple("a@b", alice, "m3", "x")), Set.of(), null),
                new NewMessage(Messages.source(Messages.simple("a@b", alice, "m4", "x")), Set.of(), null));
        assertThatThrownBy(() -> store.appendAll(alice, "INBOX", two))
                .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.QUOTA_EXCEEDED);
        assertThatThrownBy(() -> store.appendAll(alice, "INBOX", List.of(two.get(0),
                new NewMessage(Messages.source(Messages.simple("a@b", alice, "m4", "x")), Set.of("\\Bogus"), null))))
                .isInstanceOf(StoreException.class);
        assertThat(store.status(alice, "INBOX").messages()).as("nothing of a refused MULTIAPPEND").isEqualTo(2);
        assertThat(store.status(alice, "INBOX").uidNext()).isEqualTo(3);
    }

    @Test
    void selectTakesASnapshotAndClaimsRecentOnce() throws Exception {
        appendSimple("1");
        long two = append("INBOX", Messages.simple("a@b", alice, "2", "x"), "\\Seen").uid();
        long three = appendSimple("3").uid();
        store.updateFlags(alice, "INBOX", UidSet.ofUids(1), FlagUpdate.Mode.ADD, Set.of("\\Seen", "Later"), -1);

        MailboxSnapshot examine = store.select(alice, "INBOX", true);
        assertThat(examine.recent()).isEqualTo(UidSet.EMPTY);
        assertThat(examine.status().recent()).isEqualTo(3);
        MailboxSnapshot first = store.select(alice, "INBOX", false);
        assertThat(first.uids()).isEqualTo(UidSet.of(List.of(new UidSet.Range(1, 3))));
        assertThat(first.recent()).isEqualTo(first.uids());
        assertThat(first.firstUnseen()).isEqualTo(three);
        assertThat(first.keywords()).containsExactly("Later");
        assertThat(first.status().unseen()).isEqualTo(1);
        assertThat(first.status().highestModSeq()).isEqualTo(store.status(alice, "INBOX").highestModSeq());
        assertThat(store.select(alice, "INBOX", false).recent()).isEqualTo(UidSet.EMPTY);

        long four = appendSimple("4").uid();
        assertThat(store.claimRecent(alice, "INBOX")).isEqualTo(UidSet.ofUids(four));
        assertThat(store.claimRecent(alice, "INBOX")).isEqualTo(UidSet.EMPTY);
        assertThat(two).isEqualTo(2);
    }

    @Test
    void statusCountsMessages() throws Exception {
        append("INBOX", Messages.simple("a@b", alice, "1", "x"), "\\Seen");
        append("INBOX", Messages.simple("a@b", alice, "2", "y"), "\\Deleted");
        MailboxStatus status = store.status(alice, "INBOX");
        assertThat(status.messages()).isEqualTo(2);
        assertThat(status.unseen()).isEqualTo(1);
        assertThat(status.deleted()).isEqualTo(1);
        assertThat(status.uidNext()).isEqualTo(3);
        assertThat(status.size()).isEqualTo(store.quota(alice).usedBytes());
    }

    @Test
    void eventsFollowEveryCommittedChangeInOrder() throws Exception {
        long uid = appendSimple("x").uid();
        store.updateFlags(alice, "INBOX", UidSet.ofUids(uid), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        store.updateFlags(alice, "INBOX", UidSet.ofUids(uid), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        store.expunge(alice, "INBOX", UidSet.ALL);
        store.create(alice, "New", Set.of());
        store.delete(alice, "New");
        await().untilAsserted(() -> assertThat(events).extracting(MailboxEvent::kind).containsExactly(
                MailboxEvent.Kind.ADDED, MailboxEvent.Kind.FLAGS, MailboxEvent.Kind.EXPUNGED,
                MailboxEvent.Kind.CREATED, MailboxEvent.Kind.DELETED));
        MailboxEvent added = events.get(0);
        assertThat(added.account()).isEqualTo(alice);
        assertThat(added.mailbox()).isEqualTo("INBOX");
        assertThat(added.uids()).isEqualTo(UidSet.ofUids(uid));
        assertThat(added.messages()).extracting(MessageMeta::uid).containsExactly(uid);
        assertThat(events.get(1).modSeq()).isEqualTo(added.modSeq() + 1);
        assertThat(events.get(2).modSeq()).isEqualTo(added.modSeq() + 2);
        assertThat(events.get(1).messages().get(0).flags()).contains("\\Deleted");
    }

    @Test
    void searchRunsFlagDateSizeHeaderAndBodyKeys() throws Exception {
        long nested = store.append(alice, "INBOX", Messages.source(Messages.NESTED), Set.of("\\Flagged"),
                Instant.parse("2026-03-10T12:00:00Z")).uid();
        long plain = store.append(alice, "INBOX", Messages.source(Messages.simple("Bob Builder <bob@example.com>",
                alice, "Quarterly report", "numbers inside")), Set.of("\\Seen", "Done"),
                Instant.parse("2026-03-11T08:00:00Z")).uid();
        long big = store.append(alice, "INBOX", Messages.source(Messages.simple("carol@example.com", "x@y",
                "padding", "p".repeat(5000))), Set.of(), Instant.parse("2026-03-12T08:00:00Z")).uid();

        assertThat(search(new SearchQuery.All())).isEqualTo(UidSet.ofUids(nested, plain, big));
        assertThat(search(new SearchQuery.HasFlag("\\Seen"))).isEqualTo(UidSet.ofUids(plain));
        assertThat(search(new SearchQuery.Not(new SearchQuery.HasFlag("\\Seen")))).isEqualTo(UidSet.ofUids(nested, big));
        assertThat(search(new SearchQuery.HasFlag("done"))).isEqualTo(UidSet.ofUids(plain));
        assertThat(search(new SearchQuery.HasFlag("\\Recent"))).isEqualTo(UidSet.EMPTY);
        assertThat(search(new SearchQuery.Larger(5000))).isEqualTo(UidSet.ofUids(big));
        assertThat(search(new SearchQuery.Smaller(300))).isEqualTo(UidSet.ofUids(plain));
        assertThat(search(new SearchQuery.InternalDate(SearchQuery.DateComparison.ON, LocalDate.of(2026, 3, 11))))
                .isEqualTo(UidSet.ofUids(plain));
        assertThat(search(new SearchQuery.InternalDate(SearchQuery.DateComparison.BEFORE, LocalDate.of(2026, 3, 11))))
                .isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.InternalDate(SearchQuery.DateComparison.SINCE, LocalDate.of(2026, 3, 11))))
                .isEqualTo(UidSet.ofUids(plain, big));
        assertThat(search(new SearchQuery.SentDate(SearchQuery.DateComparison.ON, LocalDate.of(2026, 11, 3))))
                .isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.Header("From", "JÜRGEN"))).isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.Header("subject", "grüße"))).isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.Header("subject", "50%_"))).isEqualTo(UidSet.EMPTY);
        assertThat(search(new SearchQuery.Header("cc", ""))).isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.Header("Message-ID", "nested-1"))).isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.Header("X-Missing", ""))).isEqualTo(UidSet.EMPTY);
        assertThat(search(new SearchQuery.Body("CAFÉ CRÈME"))).isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.Body("numbers"))).isEqualTo(UidSet.ofUids(plain));
        assertThat(search(new SearchQuery.Body("quarterly"))).isEqualTo(UidSet.EMPTY);
        assertThat(search(new SearchQuery.Text("quarterly"))).isEqualTo(UidSet.ofUids(plain));
        assertThat(search(new SearchQuery.Uids(UidSet.ofUids(plain, big)))).isEqualTo(UidSet.ofUids(plain, big));
        assertThat(search(new SearchQuery.ModSeq(store.message(alice, "INBOX", big).meta().modSeq())))
                .isEqualTo(UidSet.ofUids(big));
        assertThat(search(new SearchQuery.Or(new SearchQuery.Body("zanzibar"), new SearchQuery.HasFlag("\\Seen"))))
                .isEqualTo(UidSet.ofUids(nested, plain));
        assertThat(search(new SearchQuery.And(List.of(new SearchQuery.Not(new SearchQuery.Body("numbers")),
                new SearchQuery.Smaller(3000))))).isEqualTo(UidSet.ofUids(nested));
        assertThat(search(new SearchQuery.And(List.of(new SearchQuery.Text("p"), new SearchQuery.Not(
                new SearchQuery.HasFlag("\\Flagged")))))).isEqualTo(UidSet.ofUids(plain, big));
        long[] many = new long[200];
        for (int i = 0; i < many.length; i++) {
            many[i] = 2 * i + 1;
        }
        assertThat(search(new SearchQuery.And(List.of(new SearchQuery.Uids(UidSet.ofUids(many)),
                new SearchQuery.All())))).isEqualTo(UidSet.ofUids(nested, big));
    }

    private UidSet search(SearchQuery q) throws StoreException {
        return store.search(alice, "INBOX", q);
    }
}
