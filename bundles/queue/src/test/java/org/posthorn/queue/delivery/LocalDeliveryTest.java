package org.posthorn.queue.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.queue.RecipientState;
import org.posthorn.api.user.Resolution;
import org.posthorn.queue.TestMail;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.ParsedDsn;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.queue.testing.QueueTestBase;

/** Delivery into local mailboxes through the UserDirectory and MailboxStore services. */
class LocalDeliveryTest extends QueueTestBase {

    private static final String SENDER = "alice@sender.test";

    private List<ParsedDsn> dsns() throws Exception {
        List<ParsedDsn> dsns = new java.util.ArrayList<>();
        for (FakeRemote.Call call : queue.remote.dsns()) {
            dsns.add(ParsedDsn.parse(call.message()));
        }
        return dsns;
    }

    /** Moves the clock to each next attempt until the entry is gone or {@code limit} has passed. */
    private void retryUntilGoneOr(String id, Duration limit) throws Exception {
        while (queue.exists(id) && queue.clock.instant().isBefore(QueueHarness.START.plus(limit))) {
            queue.advance(Duration.between(queue.clock.instant(), queue.entry(id).nextAttempt()));
            queue.awaitQuiet();
        }
    }

    @Test
    void eachLocalCopyGetsReturnPathAndDeliveredToAndGoesIntoInbox() throws Exception {
        byte[] message = TestMail.message("local");
        queue.send(TestMail.envelope(SENDER, "bob@example.org", "carol@example.org", "dave@remote.test"), message);
        queue.awaitQuiet();

        assertThat(queue.store.appended).hasSize(2).allSatisfy(a -> {
            assertThat(a.mailbox()).isEqualTo("INBOX");
            assertThat(a.internalDate()).isEqualTo(QueueHarness.START);
            assertThat(a.text()).isEqualTo("Return-Path: <alice@sender.test>\r\nDelivered-To: " + a.account() + "\r\n"
                    + new String(message, StandardCharsets.UTF_8));
        });
        assertThat(queue.store.appended).extracting(a -> a.account()).containsExactlyInAnyOrder("bob@example.org", "carol@example.org");
        assertThat(queue.remote.mail()).extracting(c -> c.addresses()).containsExactly(List.of("dave@remote.test"));
        assertThat(queue.remote.mail().get(0).text()).as("no local trace fields on remote copies")
                .isEqualTo(new String(message, StandardCharsets.UTF_8));
    }

    @Test
    void aBounceIsDeliveredLocallyWithAnEmptyReturnPath() throws Exception {
        queue.send(TestMail.envelope(null, "bob@example.org"), TestMail.message("bounce"));
        queue.awaitQuiet();
        assertThat(queue.store.of("bob@example.org").get(0).text()).startsWith("Return-Path: <>\r\n");
    }

    @Test
    void anAliasExpandsIntoAccountsAndForwardsEachDeliveredOnce() throws Exception {
        queue.users.aliases.put("team@example.org", new Resolution(List.of("bob@example.org", "carol@example.org"),
                List.of(MailAddress.parse("ext@remote.test"))));
        queue.store.full.add("carol@example.org");
        String id = queue.send(TestMail.envelope(SENDER, "team@example.org"), TestMail.message("team"));
        queue.awaitQuiet();

        QueueEntry entry = queue.entry(id);
        assertThat(entry.recipients()).extracting(r -> r.address() + " " + r.account() + " " + r.state()).containsExactly(
                "team@example.org null EXPANDED", "bob@example.org bob@example.org DELIVERED",
                "carol@example.org carol@example.org DEFERRED", "ext@remote.test null DELIVERED");
        assertThat(queue.remote.mail().get(0).envelope().sender()).hasToString(SENDER);

        queue.store.full.remove("carol@example.org");
        queue.advance(Duration.ofMinutes(5));
        await().until(() -> !queue.exists(id));
        assertThat(queue.store.appended).extracting(a -> a.account()).containsExactly("bob@example.org", "carol@example.org");
        assertThat(queue.remote.mail()).hasSize(1);
    }

    @Test
    void notifySuccessForALocalRecipientReportsDelivered() throws Exception {
        queue.send(TestMail.envelope(SENDER, List.of(TestMail.recipient("bob@example.org", DsnNotify.SUCCESS))),
                TestMail.message("receipt"));
        queue.awaitQuiet();

        ParsedDsn dsn = dsns().get(0);
        assertThat(dsn.recipient(0)).containsEntry("Final-Recipient", "rfc822; bob@example.org")
                .containsEntry("Action", "delivered").containsEntry("Status", "2.0.0");
    }

    @Test
    void anUnknownLocalUserBouncesWith511() throws Exception {
        queue.send(TestMail.envelope(SENDER, "nobody@example.org", "bob@example.org"), TestMail.message("unknown"));
        queue.awaitQuiet();

        assertThat(queue.store.appended).hasSize(1);
        ParsedDsn bounce = dsns().get(0);
        assertThat(bounce.status).hasSize(2);
        assertThat(bounce.recipient(0)).containsEntry("Final-Recipient", "rfc822; nobody@example.org")
                .containsEntry("Action", "failed").containsEntry("Status", "5.1.1")
                .containsEntry("Diagnostic-Code", "x-posthorn; no such user here: nobody@example.org");
    }

    @Test
    void aFullMailboxIsRetriedAndBouncesWith522OnceTheQuotaGraceIsOver() throws Exception {
        queue.store.full.add("bob@example.org");
        String id = queue.send(TestMail.envelope(SENDER, "bob@example.org"), TestMail.message("too much"));
        queue.awaitQuiet();
        assertThat(queue.entry(id).recipients().get(1).statusCode()).isEqualTo("4.2.2");

        retryUntilGoneOr(id, Duration.ofDays(2));

        assertThat(queue.exists(id)).isFalse();
        assertThat(queue.clock.instant()).isAfterOrEqualTo(QueueHarness.START.plus(Duration.ofDays(1)));
        List<ParsedDsn> dsns = dsns();
        ParsedDsn bounce = dsns.get(dsns.size() - 1);
        assertThat(bounce.recipient(0)).containsEntry("Action", "failed").containsEntry("Status", "5.2.2");
        assertThat(bounce.recipient(0).get("Diagnostic-Code")).contains("mailbox full");
    }

    @Test
    void whileTheStoreIsAwayLocalMailWaitsWithoutBouncingAndIsDeliveredAsSoonAsItReturns() throws Exception {
        queue.storeRunning = false;
        String id = queue.send(TestMail.envelope(SENDER, "bob@example.org"), TestMail.message("patience"));
        queue.awaitQuiet();
        assertThat(queue.entry(id).recipients().get(1).state()).isEqualTo(RecipientState.DEFERRED);
        assertThat(queue.entry(id).recipients().get(1).nextAttempt()).isEqualTo(QueueHarness.START.plus(Duration.ofMinutes(1)));

        for (int day = 0; day < 6; day++) {
            queue.advance(Duration.ofDays(1));
            queue.awaitQuiet();
        }
        assertThat(queue.exists(id)).as("no bounce for our own outage, even after the lifetime").isTrue();
        assertThat(dsns()).allSatisfy(d -> assertThat(d.recipient(0)).containsEntry("Action", "delayed"));
        assertThat(queue.entry(id).recipients().get(1).attempts()).as("waiting for the store is no attempt").isZero();

        queue.storeRunning = true;
        queue.engine().serviceReturned();
        await().until(() -> !queue.exists(id));
        assertThat(queue.store.appended).hasSize(1);
    }

    @Test
    void whileTheDirectoryIsDownNothingIsRoutedAndAllIsDeliveredWhenItIsBack() throws Exception {
        queue.users.unavailable = true;
        String id = queue.send(TestMail.envelope(SENDER, "bob@example.org", "dave@remote.test"), TestMail.message("dir"));
        queue.awaitQuiet();
        assertThat(queue.entry(id).recipients()).extracting(r -> r.state()).containsOnly(RecipientState.DEFERRED);
        assertThat(queue.remote.calls).isEmpty();

        queue.users.unavailable = false;
        queue.advance(Duration.ofMinutes(1));
        await().until(() -> !queue.exists(id));
        assertThat(queue.store.appended).hasSize(1);
        assertThat(queue.remote.mail()).hasSize(1);
    }

    @Test
    void aDirectoryReturningWhileAnAttemptMissesItMakesTheEntryDueAtOnce() throws Exception {
        queue.users.unavailable = true;
        queue.users.whileAnswering = () -> {
            // the attempt already failed to reach the directory; it returns before the attempt ends
            queue.users.unavailable = false;
            queue.users.whileAnswering = () -> { };
            queue.engine().serviceReturned();
        };
        String id = queue.send(TestMail.envelope(SENDER, "bob@example.org"), TestMail.message("race"));

        await().until(() -> !queue.exists(id));
        assertThat(queue.clock.instant()).as("no retry interval had to pass").isEqualTo(QueueHarness.START);
        assertThat(queue.store.appended).hasSize(1);
    }

    @Test
    void withoutRemoteDeliveryRemoteRecipientsWaitWithoutBouncing() throws Exception {
        queue.remoteRunning = false;
        String id = queue.send(TestMail.envelope(SENDER, "dave@remote.test"), TestMail.message("remote later"));
        queue.awaitQuiet();
        assertThat(queue.entry(id).recipients().get(0).lastError()).isEqualTo("remote delivery is not running");

        queue.remoteRunning = true;
        queue.engine().serviceReturned();
        await().until(() -> !queue.exists(id));
    }
}
