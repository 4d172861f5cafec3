package org.posthorn.queue.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.RecipientState;
import org.posthorn.queue.TestMail;
import org.posthorn.queue.testing.FakeRemote;
import org.posthorn.queue.testing.ParsedDsn;
import org.posthorn.queue.testing.QueueHarness;
import org.posthorn.queue.testing.QueueTestBase;

/** The MessageFilter chain as the dispatcher runs it. */
class FilterChainTest extends QueueTestBase {

    private static final String SENDER = "alice@sender.test";

    private static MessageFilter prepending(String name, String value) {
        return m -> {
            m.prependHeader(name, value);
            return FilterVerdict.CONTINUE;
        };
    }

    private static final MessageFilter THROWING = m -> {
        throw new IllegalStateException("spam engine not reachable");
    };

    private String deliveredTo(String domain) {
        return queue.remote.mail().stream().filter(c -> c.domain().equals(domain)).reduce((a, b) -> b)
                .orElseThrow().text();
    }

    @Test
    void aRankingFromACfgFileOrdersFiltersLikeOneFromCode() throws Exception {
        // Config Admin hands a .cfg file's service.ranking over as a String
        queue.filters.add(prepending("X-Code", "5"), Map.of(Constants.SERVICE_ID, 201L, Constants.SERVICE_RANKING, 5));
        queue.filters.add(prepending("X-Bad", "0"), Map.of(Constants.SERVICE_ID, 202L, Constants.SERVICE_RANKING, "high"));
        queue.filters.add(prepending("X-Cfg", "20"), Map.of(Constants.SERVICE_ID, 203L, Constants.SERVICE_RANKING, " 20 "));
        queue.filters.add(prepending("X-Long", "10"), Map.of(Constants.SERVICE_ID, 204L, Constants.SERVICE_RANKING, 10L));
        queue.send(TestMail.envelope(SENDER, "bob@ranked.test"), TestMail.message("one"));
        queue.awaitQuiet();
        // each filter puts its field on top, so the one that ran last is first
        assertThat(deliveredTo("ranked.test")).isEqualTo("X-Bad: 0\r\nX-Code: 5\r\nX-Long: 10\r\nX-Cfg: 20\r\n"
                + new String(TestMail.message("one"), StandardCharsets.UTF_8));
    }

    @Test
    void filtersAddedAndRemovedWhileTheDispatcherRunsApplyToTheNextMessageInRankingOrder() throws Exception {
        String original = new String(TestMail.message("one"), StandardCharsets.UTF_8);
        queue.send(TestMail.envelope(SENDER, "bob@one.test"), TestMail.message("one"));
        queue.awaitQuiet();
        assertThat(deliveredTo("one.test")).isEqualTo(original);

        queue.filters.add(prepending("X-Low", "ranked 0"), 0, 101);
        queue.filters.add(prepending("X-High", "ranked 10"), 10, 102);
        queue.send(TestMail.envelope(SENDER, "bob@two.test"), TestMail.message("one"));
        queue.awaitQuiet();
        // the higher-ranked filter runs first, so the lower one's field ends up on top
        assertThat(deliveredTo("two.test")).isEqualTo("X-Low: ranked 0\r\nX-High: ranked 10\r\n" + original);

        queue.filters.remove(102);
        queue.send(TestMail.envelope(SENDER, "bob@three.test"), TestMail.message("one"));
        queue.awaitQuiet();
        assertThat(deliveredTo("three.test")).isEqualTo("X-Low: ranked 0\r\n" + original);

        queue.filters.remove(101);
        queue.send(TestMail.envelope(SENDER, "bob@four.test"), TestMail.message("one"));
        queue.awaitQuiet();
        assertThat(deliveredTo("four.test")).isEqualTo(original);
    }

    @Test
    void aFilterThatThrowsIsSkippedWhenFailingOpen() throws Exception {
        queue.filters.add(THROWING, 5, 1);
        queue.filters.add(prepending("X-After", "yes"), 0, 2);
        queue.send(TestMail.envelope(SENDER, "bob@remote.test"), TestMail.message("open"));
        queue.awaitQuiet();
        assertThat(deliveredTo("remote.test")).startsWith("X-After: yes\r\nFrom: Alice");
    }

    @Test
    void aFilterThatThrowsDefersTheMessageWhenFailingClosed(@TempDir Path folder) throws Exception {
        queue.stopEngine();
        try (QueueHarness closed = QueueHarness.start(folder, queue.database(), settings().withFiltersFailClosed(true))) {
            closed.filters.add(THROWING, 0, 1);
            String id = closed.send(TestMail.envelope(SENDER, "bob@remote.test"), TestMail.message("closed"));
            closed.awaitQuiet();
            assertThat(closed.remote.calls).isEmpty();
            assertThat(closed.entry(id).recipients().get(0).state()).isEqualTo(RecipientState.DEFERRED);
            assertThat(closed.entry(id).recipients().get(0).lastError()).contains("spam engine not reachable");

            closed.filters.remove(1);
            closed.advance(Duration.ofMinutes(5));
            await().until(() -> !closed.exists(id));
            assertThat(closed.remote.calls).hasSize(1);
        }
    }

    @Test
    void aRejectingFilterBouncesWithItsCodeAndText() throws Exception {
        // bounces pass through the filters too; this one lets them through
        queue.filters.add(m -> m.envelope().hasNullSender() ? FilterVerdict.CONTINUE
                : FilterVerdict.reject(550, "5.7.1", "message looks like spam"), 0, 1);
        queue.send(TestMail.envelope(SENDER, "bob@example.org", "carol@remote.test"), TestMail.message("spam"));
        queue.awaitQuiet();

        assertThat(queue.store.appended).isEmpty();
        assertThat(queue.remote.mail()).isEmpty();
        ParsedDsn bounce = ParsedDsn.parse(queue.remote.dsns().get(0).message());
        assertThat(bounce.status).hasSize(3);
        assertThat(bounce.recipient(0)).containsEntry("Action", "failed").containsEntry("Status", "5.7.1")
                .containsEntry("Diagnostic-Code", "smtp; 550 5.7.1 message looks like spam");
    }

    @Test
    void aDroppingFilterMakesTheMessageDisappearWithoutABounce() throws Exception {
        queue.filters.add(m -> FilterVerdict.drop("virus found"), 0, 1);
        String id = queue.send(TestMail.envelope(SENDER, "bob@example.org"), TestMail.message("virus"));
        queue.awaitQuiet();

        assertThat(queue.exists(id)).isFalse();
        assertThat(queue.store.appended).isEmpty();
        assertThat(queue.remote.calls).isEmpty();
        assertThat(Files.exists(queue.folder.resolve("spool").resolve(id))).isFalse();
    }

    @Test
    void filtersRedirectAddRecipientsAndFileIntoAMailbox() throws Exception {
        queue.filters.add(m -> {
            m.setRecipients(List.of(Recipient.of(MailAddress.parse("carol@example.org"))));
            m.addRecipient(Recipient.of(MailAddress.parse("archive@remote.test")));
            m.fileInto(MailAddress.parse("carol@example.org"), "Junk");
            return FilterVerdict.CONTINUE;
        }, 0, 1);
        queue.send(TestMail.envelope(SENDER, "bob@example.org"), TestMail.message("redirect"));
        queue.awaitQuiet();

        assertThat(queue.store.appended).extracting(a -> a.account() + "/" + a.mailbox()).containsExactly("carol@example.org/Junk");
        assertThat(queue.remote.mail()).extracting(FakeRemote.Call::addresses).containsExactly(List.of("archive@remote.test"));
    }

    @Test
    void aFilterGivesOneRecipientSeveralFlaggedCopiesAndRejectsAnotherWhoAloneIsBounced() throws Exception {
        queue.filters.add(m -> m.envelope().hasNullSender() ? FilterVerdict.CONTINUE : giveCopiesAndReject(m), 0, 1);
        queue.send(TestMail.envelope(SENDER, "bob@example.org", "carol@example.org"), TestMail.message("sieve"));
        queue.awaitQuiet();

        assertThat(queue.store.appended).extracting(a -> a.account() + "/" + a.mailbox() + " " + a.flags())
                .containsExactlyInAnyOrder("carol@example.org/INBOX []", "carol@example.org/Archive [\\Seen]");
        ParsedDsn bounce = ParsedDsn.parse(queue.remote.dsns().get(0).message());
        assertThat(bounce.status).hasSize(2);
        assertThat(bounce.recipient(0)).containsEntry("Final-Recipient", "rfc822; bob@example.org")
                .containsEntry("Status", "5.7.1").containsEntry("Diagnostic-Code", "smtp; 550 5.7.1 I am not here");
    }

    private static FilterVerdict giveCopiesAndReject(FilteredMessage m) {
        m.rejectRecipient(MailAddress.parse("bob@example.org"), 550, "5.7.1", "I am not here");
        m.fileInto(MailAddress.parse("carol@example.org"), List.of(LocalCopy.inbox(),
                new LocalCopy("Archive", Set.of("\\Seen"))));
        return FilterVerdict.CONTINUE;
    }

    @Test
    void headerEditsAreStreamedBeforeTheUntouchedBodyAndTheSpoolFileIsNeverRewritten() throws Exception {
        AtomicReference<byte[]> seenOriginal = new AtomicReference<>();
        queue.filters.add(m -> {
            try (InputStream in = m.original().openStream()) {
                seenOriginal.set(in.readAllBytes());
            }
            m.setHeader("Subject", "[SPAM] " + m.header("Subject").get(0));
            m.removeHeader("Message-ID");
            return FilterVerdict.CONTINUE;
        }, 0, 1);
        queue.remote.answer = r -> r.address().localPart().equals("later") ? FakeRemote.deferred(r) : FakeRemote.accepted(r);
        byte[] original = TestMail.message("big one", 3_000_000);
        String id = queue.send(TestMail.envelope(SENDER, "now@remote.test", "later@remote.test"), original);
        queue.awaitQuiet();

        String text = new String(original, StandardCharsets.UTF_8);
        int body = text.indexOf("\r\n\r\n") + 4;
        String expected = "From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: [SPAM] big one\r\n\r\n"
                + text.substring(body);
        assertThat(queue.remote.mail().get(0).text()).isEqualTo(expected);
        assertThat(seenOriginal.get()).isEqualTo(original);
        assertThat(Arrays.equals(Files.readAllBytes(queue.folder.resolve("spool").resolve(id)), original))
                .as("the spool file is as received").isTrue();
        assertThat(queue.entry(id).recipients()).extracting(r -> r.state())
                .containsExactly(RecipientState.DELIVERED, RecipientState.DEFERRED);
    }
}
