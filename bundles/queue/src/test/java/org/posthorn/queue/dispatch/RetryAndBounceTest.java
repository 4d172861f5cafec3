package org.posthorn.queue.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.queue.RecipientState;
import org.posthorn.api.queue.RecipientStatus;
import org.posthorn.queue.TestMail;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.ParsedDsn;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.queue.testing.QueueTestBase;

/** Remote outcomes applied per recipient: retries on the schedule, bounces and other DSNs. */
class RetryAndBounceTest extends QueueTestBase {

    private static final String SENDER = "alice@sender.test";

    private static List<Recipient> recipients(int count, String prefix, String domain) {
        List<Recipient> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(Recipient.of(MailAddress.parse(prefix + i + "@" + domain)));
        }
        return list;
    }

    @Test
    void ofTenRecipientsOnlyTheTwoThatFailedAreRetriedAndOnlyThemOnTheSchedule() throws Exception {
        List<Recipient> rcpts = new ArrayList<>(recipients(6, "r", "one.test"));
        rcpts.addAll(recipients(4, "s", "two.test"));
        queue.remote.answer = r -> r.address().localPart().equals("r2") || r.address().localPart().equals("r5")
                ? FakeRemote.deferred(r) : FakeRemote.accepted(r);

        String id = queue.send(TestMail.envelope(SENDER, rcpts), TestMail.message("partial"));
        queue.awaitQuiet();

        assertThat(queue.remote.calls).extracting(FakeRemote.Call::domain).containsExactly("one.test", "two.test");
        QueueEntry entry = queue.entry(id);
        assertThat(entry.recipients()).filteredOn(r -> r.state() == RecipientState.DEFERRED)
                .extracting(r -> r.address().toString()).containsExactly("r2@one.test", "r5@one.test");
        assertThat(entry.recipients()).filteredOn(r -> r.state() == RecipientState.DELIVERED).hasSize(8);
        RecipientStatus deferred = entry.recipients().get(2);
        assertThat(deferred.nextAttempt()).isEqualTo(QueueHarness.START.plus(Duration.ofMinutes(5)));
        assertThat(deferred.lastError()).isEqualTo("greylisted, try again later");
        assertThat(deferred.statusCode()).isEqualTo("4.2.0");
        assertThat(deferred.remoteHost()).isEqualTo("mx.remote.test [192.0.2.25]");
        assertThat(deferred.attempts()).isEqualTo(1);

        queue.advance(Duration.ofMinutes(4));
        queue.awaitQuiet();
        assertThat(queue.remote.calls).as("not due yet").hasSize(2);

        queue.remote.answer = FakeRemote::accepted;
        queue.advance(Duration.ofMinutes(1));
        await().until(() -> !queue.exists(id));
        assertThat(queue.remote.calls).hasSize(3);
        assertThat(queue.remote.calls.get(2).addresses()).containsExactly("r2@one.test", "r5@one.test");
        assertThat(queue.remote.dsns()).as("no DSN without NOTIFY=SUCCESS").isEmpty();
    }

    @Test
    void aRecipientThatKeepsFailingIsRetriedOnTheScheduleAndBouncedWithTheLastErrorAfterFiveDays() throws Exception {
        queue.remote.answer = r -> r.address().domain().equals("sender.test") ? FakeRemote.accepted(r) : FakeRemote.deferred(r);
        String id = queue.send(TestMail.envelope(SENDER, "bob@slow.test"), TestMail.message("patience"));
        queue.awaitQuiet();

        List<Duration> waits = new ArrayList<>();
        Instant last = QueueHarness.START;
        while (queue.exists(id)) {
            Instant next = queue.entry(id).nextAttempt();
            waits.add(Duration.between(last, next));
            last = next;
            queue.advance(Duration.between(queue.clock.instant(), next));
            queue.awaitQuiet();
        }

        assertThat(waits.subList(0, 7)).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(4));
        assertThat(last).isEqualTo(QueueHarness.START.plus(Duration.ofDays(5)));
        assertThat(queue.remote.mail()).hasSize(waits.size() + 1);
        List<ParsedDsn> dsns = parsedDsns();
        assertThat(dsns).extracting(d -> d.recipient(0).get("Action")).containsExactly("delayed", "failed");
        ParsedDsn bounce = dsns.get(1);
        assertThat(bounce.recipient(0)).containsEntry("Status", "4.2.0").containsEntry("Final-Recipient", "rfc822; bob@slow.test");
        assertThat(bounce.recipient(0).get("Diagnostic-Code"))
                .isEqualTo("smtp; 451 4.2.0 delivery time expired; last error: greylisted, try again later");
    }

    @Test
    void aBounceIsAMultipartReportWithEveryFieldOfRfc3464AndTheOriginalMessage() throws Exception {
        queue.remote.answer = r -> r.address().domain().equals("sender.test") ? FakeRemote.accepted(r) : FakeRemote.rejected(r);
        Envelope envelope = new Envelope(MailAddress.parse(SENDER),
                List.of(new Recipient(MailAddress.parse("nobody@remote.test"), Set.of(), "rfc822;Nobody@Remote.test"),
                        Recipient.of(MailAddress.parse("ghost@remote.test"))),
                null, "env-77", BodyType.EIGHT_BIT_MIME, false, TestMail.origin());
        byte[] original = TestMail.message("bounce me");
        String id = queue.send(envelope, original);
        queue.awaitQuiet();

        assertThat(queue.exists(id)).isFalse();
        FakeRemote.Call call = queue.remote.dsns().get(0);
        assertThat(call.envelope().sender()).as("a bounce is sent from the null sender").isNull();
        assertThat(call.addresses()).containsExactly(SENDER);
        ParsedDsn dsn = ParsedDsn.parse(call.message());
        assertThat(dsn.reportType).isEqualTo("delivery-status");
        assertThat(dsn.partTypes).containsExactly("text/plain", "message/delivery-status", "message/rfc822");
        assertThat(dsn.subject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(dsn.message.getFrom().get(0).getAddress()).isEqualTo("MAILER-DAEMON@" + QueueHarness.HOST);
        assertThat(dsn.message.getHeader().getField("Auto-Submitted").getBody()).isEqualTo("auto-replied");
        assertThat(dsn.perMessage()).containsEntry("Reporting-MTA", "dns; " + QueueHarness.HOST)
                .containsEntry("Original-Envelope-Id", "env-77")
                .containsEntry("Arrival-Date", "Mon, 23 Nov 2026 10:00:00 +0000")
                .containsEntry("X-Posthorn-Queue-ID", id);
        assertThat(dsn.recipient(0)).containsEntry("Original-Recipient", "rfc822; Nobody@Remote.test")
                .containsEntry("Final-Recipient", "rfc822; nobody@remote.test")
                .containsEntry("Action", "failed")
                .containsEntry("Status", "5.1.1")
                .containsEntry("Remote-MTA", "dns; mx.remote.test [192.0.2.25]")
                .containsEntry("Diagnostic-Code", "smtp; 550 5.1.1 no such user")
                .containsEntry("Last-Attempt-Date", "Mon, 23 Nov 2026 10:00:00 +0000");
        assertThat(dsn.recipient(1)).containsEntry("Final-Recipient", "rfc822; ghost@remote.test")
                .doesNotContainKey("Original-Recipient");
        assertThat(dsn.humanText).contains("nobody@remote.test", "no such user");
        assertThat(dsn.returned).isEqualTo(new String(original, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void retHdrsReturnsOnlyTheHeader() throws Exception {
        queue.remote.answer = r -> r.address().domain().equals("sender.test") ? FakeRemote.accepted(r) : FakeRemote.rejected(r);
        Envelope envelope = new Envelope(MailAddress.parse(SENDER), List.of(Recipient.of(MailAddress.parse("x@remote.test"))),
                DsnReturn.HEADERS, null, BodyType.SEVEN_BIT, false, TestMail.origin());
        queue.send(envelope, TestMail.message("headers only"));
        queue.awaitQuiet();

        ParsedDsn dsn = ParsedDsn.parse(queue.remote.dsns().get(0).message());
        assertThat(dsn.partTypes).containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
        assertThat(dsn.returned).contains("Subject: headers only").doesNotContain("Hello Bob");
    }

    @Test
    void nothingIsEverSentBackToTheNullSender() throws Exception {
        queue.remote.answer = FakeRemote::rejected;
        String id = queue.send(TestMail.envelope(null, "x@remote.test", "y@remote.test"), TestMail.message("a bounce"));
        queue.awaitQuiet();

        assertThat(queue.exists(id)).isFalse();
        assertThat(queue.remote.calls).hasSize(1);
        assertThat(queue.admin().list(org.posthorn.api.queue.QueueQuery.all())).isEmpty();
    }

    @Test
    void notifyNeverSuppressesTheBounceAndNotifySuccessAsksForARelayedReport() throws Exception {
        queue.remote.answer = r -> r.address().localPart().equals("no") ? FakeRemote.rejected(r) : FakeRemote.accepted(r);
        queue.send(TestMail.envelope(SENDER, List.of(TestMail.recipient("no@remote.test", DsnNotify.NEVER),
                TestMail.recipient("yes@remote.test", DsnNotify.SUCCESS, DsnNotify.FAILURE))), TestMail.message("notify"));
        queue.awaitQuiet();

        List<ParsedDsn> dsns = parsedDsns();
        assertThat(dsns).hasSize(1);
        assertThat(dsns.get(0).status).hasSize(2);
        assertThat(dsns.get(0).recipient(0)).containsEntry("Final-Recipient", "rfc822; yes@remote.test")
                .containsEntry("Action", "relayed").containsEntry("Status", "2.0.0");
        assertThat(dsns.get(0).subject()).isEqualTo("Successful Mail Delivery Report");
        assertThat(dsns.get(0).partTypes.get(2)).as("success reports return the header only").isEqualTo("text/rfc822-headers");
    }

    @Test
    void aDelayWarningGoesOutOnceAfterFourHoursUnlessNotifyLeavesOutDelay() throws Exception {
        queue.remote.answer = r -> r.address().domain().equals("sender.test") ? FakeRemote.accepted(r) : FakeRemote.deferred(r);
        queue.send(TestMail.envelope(SENDER, List.of(TestMail.recipient("slow@remote.test"),
                TestMail.recipient("quiet@remote.test", DsnNotify.FAILURE))), TestMail.message("slow"));
        queue.awaitQuiet();
        for (int i = 0; i < 8; i++) {
            queue.advance(Duration.ofHours(2));
            queue.awaitQuiet();
        }

        List<ParsedDsn> dsns = parsedDsns();
        assertThat(dsns).hasSize(1);
        ParsedDsn warning = dsns.get(0);
        assertThat(warning.subject()).isEqualTo("Delayed Mail (still being retried)");
        assertThat(warning.status).hasSize(2);
        assertThat(warning.recipient(0)).containsEntry("Final-Recipient", "rfc822; slow@remote.test")
                .containsEntry("Action", "delayed").containsEntry("Status", "4.2.0")
                .containsEntry("Will-Retry-Until", "Sat, 28 Nov 2026 10:00:00 +0000");
    }

    private List<ParsedDsn> parsedDsns() throws Exception {
        List<ParsedDsn> dsns = new ArrayList<>();
        for (FakeRemote.Call call : queue.remote.dsns()) {
            dsns.add(ParsedDsn.parse(call.message()));
        }
        return dsns;
    }
}
