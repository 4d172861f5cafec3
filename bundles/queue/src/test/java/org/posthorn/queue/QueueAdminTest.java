package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.queue.QueueQuery;
import org.posthorn.api.queue.RecipientState;
import org.posthorn.api.queue.RecipientStatus;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.ParsedDsn;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.queue.testing.QueueTestBase;

/** The QueueAdmin service the shell will use. */
class QueueAdminTest extends QueueTestBase {

    private String slow;
    private String fromBob;
    private String bounce;

    @BeforeEach
    void aQueueWithThreeWaitingEntries() throws Exception {
        // greylisted.test always defers; everything else is accepted
        queue.remote.answer = r -> r.address().domain().equals("greylisted.test") ? FakeRemote.deferred(r) : FakeRemote.accepted(r);
        slow = queue.send(TestMail.envelope("alice@sender.test", "x@greylisted.test", "y@fast.test"), TestMail.message("slow"));
        fromBob = queue.send(TestMail.envelope("bob@sender.test", "z@greylisted.test"), TestMail.message("bob's"));
        bounce = queue.send(TestMail.envelope(null, "w@greylisted.test"), TestMail.message("a bounce"));
        queue.awaitQuiet();
    }

    private List<String> ids(QueueQuery query) throws Exception {
        return queue.admin().list(query).stream().map(QueueEntry::id).toList();
    }

    @Test
    void listFiltersBySenderRecipientAndState() throws Exception {
        // all three arrived at the same instant of the test clock, so their order among them is open
        assertThat(ids(QueueQuery.all())).containsExactlyInAnyOrder(slow, fromBob, bounce);
        assertThat(ids(new QueueQuery("ALICE", null, null, 10))).containsExactly(slow);
        assertThat(ids(new QueueQuery("<>", null, null, 10))).containsExactly(bounce);
        assertThat(ids(new QueueQuery(null, "z@greylisted", null, 10))).containsExactly(fromBob);
        assertThat(ids(new QueueQuery(null, "%", null, 10))).as("LIKE wildcards are taken literally").isEmpty();
        assertThat(ids(new QueueQuery(null, null, EntryState.DEFERRED, 2))).hasSize(2).isSubsetOf(slow, fromBob, bounce);
        assertThat(ids(new QueueQuery(null, null, EntryState.HELD, 10))).isEmpty();
    }

    @Test
    void anEntryShowsEachRecipientWithItsStateAndLastError() throws Exception {
        QueueEntry entry = queue.entry(slow);
        assertThat(entry.sender()).hasToString("alice@sender.test");
        assertThat(entry.arrival()).isEqualTo(QueueHarness.START);
        assertThat(entry.state()).isEqualTo(EntryState.DEFERRED);
        assertThat(entry.nextAttempt()).isEqualTo(QueueHarness.START.plus(Duration.ofMinutes(5)));
        RecipientStatus x = entry.recipients().get(0);
        assertThat(x.state()).isEqualTo(RecipientState.DEFERRED);
        assertThat(x.attempts()).isEqualTo(1);
        assertThat(x.lastAttempt()).isEqualTo(QueueHarness.START);
        assertThat(x.statusCode()).isEqualTo("4.2.0");
        assertThat(x.lastError()).isEqualTo("greylisted, try again later");
        assertThat(x.remoteHost()).isEqualTo("mx.remote.test [192.0.2.25]");
        RecipientStatus y = entry.recipients().get(1);
        assertThat(y.state()).isEqualTo(RecipientState.DELIVERED);
        assertThat(y.nextAttempt()).isNull();
        assertThat(queue.admin().entry("NOSUCHID")).isEmpty();
    }

    @Test
    void countsCoverEveryState() throws Exception {
        queue.admin().hold(bounce, null);
        assertThat(queue.admin().counts()).containsEntry(EntryState.DEFERRED, 2L).containsEntry(EntryState.HELD, 1L)
                .containsEntry(EntryState.QUEUED, 0L).containsEntry(EntryState.DELIVERING, 0L);
    }

    @Test
    void retryNowMakesOneEntryDueAndRetryAllEveryOther() throws Exception {
        int calls = queue.remote.calls.size();
        assertThat(queue.admin().retryNow(fromBob)).isTrue();
        queue.awaitQuiet();
        assertThat(queue.remote.calls).hasSize(calls + 1);
        assertThat(queue.remote.calls.get(calls).addresses()).containsExactly("z@greylisted.test");

        assertThat(queue.admin().retryAll()).isEqualTo(3);
        queue.awaitQuiet();
        assertThat(queue.remote.calls).hasSize(calls + 4);
        assertThat(queue.admin().retryNow("NOSUCHID")).isFalse();
    }

    @Test
    void aHeldEntryIsNotDeliveredUntilReleased() throws Exception {
        queue.remote.answer = FakeRemote::accepted;
        assertThat(queue.admin().hold(slow, "looks odd")).isTrue();
        assertThat(queue.entry(slow).state()).isEqualTo(EntryState.HELD);
        assertThat(queue.entry(slow).holdReason()).isEqualTo("looks odd");

        queue.advance(Duration.ofHours(1));
        queue.awaitQuiet();
        assertThat(queue.exists(slow)).isTrue();
        assertThat(queue.exists(fromBob)).isFalse();

        assertThat(queue.admin().release(slow)).isTrue();
        await().until(() -> !queue.exists(slow));
        assertThat(queue.admin().release(slow)).isFalse();
    }

    @Test
    void deleteRemovesTheEntryAndItsFileWithoutTellingTheSender() throws Exception {
        assertThat(queue.admin().delete(slow)).isTrue();
        assertThat(queue.exists(slow)).isFalse();
        assertThat(Files.exists(queue.folder.resolve("spool").resolve(slow))).isFalse();
        assertThat(queue.admin().delete(slow)).isFalse();
        queue.awaitQuiet();
        assertThat(queue.remote.dsns()).isEmpty();
    }

    @Test
    void anEntryBeingDeliveredCannotBeDeletedOrBounced() throws Exception {
        QueueIndex index = new QueueIndex(queue.database().dataSource());
        Instant now = queue.clock.instant();
        assertThat(index.claim(fromBob, "other-node/1", now, now.plus(Duration.ofMinutes(10)))).isTrue();
        assertThat(queue.entry(fromBob).state()).isEqualTo(EntryState.DELIVERING);
        assertThat(queue.admin().delete(fromBob)).isFalse();
        assertThat(queue.admin().bounce(fromBob, null)).isFalse();
        assertThat(queue.admin().retryNow(fromBob)).isFalse();
        assertThat(queue.admin().hold(fromBob, null)).as("too late to stop the attempt").isFalse();
    }

    @Test
    void bounceFailsTheOpenRecipientsAndTheSenderIsToldWhy() throws Exception {
        assertThat(queue.admin().bounce(slow, "the destination is gone")).isTrue();
        await().until(() -> !queue.exists(slow));
        queue.awaitQuiet();

        ParsedDsn dsn = ParsedDsn.parse(queue.remote.dsns().get(0).message());
        assertThat(dsn.status).as("only the recipient not yet delivered").hasSize(2);
        assertThat(dsn.recipient(0)).containsEntry("Final-Recipient", "rfc822; x@greylisted.test")
                .containsEntry("Action", "failed").containsEntry("Status", "5.0.0")
                .containsEntry("Diagnostic-Code", "x-posthorn; the destination is gone");

        assertThat(queue.admin().bounce(bounce, null)).as("a bounce is never bounced").isTrue();
        await().until(() -> !queue.exists(bounce));
        assertThat(queue.remote.dsns()).hasSize(1);
    }
}
