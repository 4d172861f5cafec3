package org.posthorn.sieve.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.queue.MailQueue;
import org.posthorn.api.queue.QueuedMessage;
import org.posthorn.sieve.TestBackend;

/** The Sieve filter on real scripts in Derby, with the real user directory, per recipient. */
class SieveFilterTest {

    private static TestBackend backend;

    private record Queued(Envelope envelope, String text) {
    }

    /** A clock the tests move forward. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-23T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final List<Queued> queued = new CopyOnWriteArrayList<>();
    private final MailQueue queue = (envelope, message) -> {
        try (InputStream in = message) {
            byte[] bytes = in.readAllBytes();
            queued.add(new Queued(envelope, new String(bytes, StandardCharsets.UTF_8)));
            return new QueuedMessage("reply" + queued.size(), bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };
    private final TestClock clock = new TestClock();
    private SieveFilter filter;
    private String alice;
    private String bob;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        alice = backend.newUser();
        bob = backend.newUser();
        filter = new SieveFilter(backend.scripts, () -> backend.directory,
                new VacationResponder(backend.scripts, () -> queue, 1, 30, clock), 1 << 20);
    }

    private void activate(String account, String script) throws Exception {
        backend.scripts.put(account, "main", script);
        assertThat(backend.scripts.setActive(account, "main")).isTrue();
    }

    private static TestFilteredMessage message(String sender, List<String> recipients, String header) {
        return new TestFilteredMessage(sender, recipients, header + "\nMessage-ID: <m1@example.net>\n\nHello.\n");
    }

    @Test
    void eachRecipientsScriptDecidesForThatRecipientOnly() throws Exception {
        activate(alice, """
                require ["fileinto", "imap4flags", "copy"];
                if exists "List-Id" {
                    addflag "\\\\Seen";
                    fileinto :copy :flags "list" "Lists";
                }
                """);
        TestFilteredMessage m = message("list@lists.test", List.of(alice, bob),
                "From: list@lists.test\nTo: team@lists.test\nList-Id: <team.lists.test>\nSubject: news");

        assertThat(filter.filter(m)).isEqualTo(FilterVerdict.CONTINUE);

        assertThat(m.copies).containsOnlyKeys(MailAddress.parse(alice));
        assertThat(m.copies.get(MailAddress.parse(alice))).containsExactly(new LocalCopy("Lists", Set.of("list")),
                new LocalCopy(null, Set.of("\\Seen")));
        assertThat(m.recipients()).containsExactly(alice, bob);
    }

    @Test
    void rejectBouncesOnlyTheRecipientWhoseScriptRejects() throws Exception {
        activate(alice, """
                require "reject";
                if address :is "from" "pest@spam.test" { reject "Go away."; }
                """);
        TestFilteredMessage m = message("pest@spam.test", List.of(alice, bob), "From: pest@spam.test\nSubject: hi");

        assertThat(filter.filter(m)).isEqualTo(FilterVerdict.CONTINUE);

        assertThat(m.rejections).containsOnlyKeys(MailAddress.parse(alice));
        assertThat(m.rejections.get(MailAddress.parse(alice))).isEqualTo(FilterVerdict.reject(550, "5.7.1", "Go away."));
        assertThat(m.recipients()).containsExactly(alice, bob);
    }

    @Test
    void discardRemovesTheRecipientAndDropsAMessageNobodyElseGets() throws Exception {
        activate(alice, "if header :contains \"subject\" \"lottery\" { discard; }");
        TestFilteredMessage both = message("x@spam.test", List.of(alice, bob), "From: x@spam.test\nSubject: lottery");
        assertThat(filter.filter(both)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(both.recipients()).containsExactly(bob);

        TestFilteredMessage only = message("x@spam.test", List.of(alice), "From: x@spam.test\nSubject: lottery");
        assertThat(filter.filter(only).action()).isEqualTo(FilterVerdict.Action.DROP);
    }

    @Test
    void redirectReplacesTheRecipientUnlessCopied() throws Exception {
        activate(alice, "require \"envelope\"; if envelope :domain :is \"from\" \"work.test\" "
                + "{ redirect \"alice.private@home.test\"; }");
        TestFilteredMessage m = message("boss@work.test", List.of(alice, bob), "From: boss@work.test\nSubject: x");
        filter.filter(m);
        assertThat(m.recipients()).containsExactly("alice.private@home.test", bob);
    }

    @Test
    void usersWithoutAnActiveScriptAndRemoteRecipientsAreLeftAlone() throws Exception {
        backend.scripts.put(alice, "inactive", "discard;");
        TestFilteredMessage m = message("a@else.test", List.of(alice, "carol@remote.test"), "From: a@else.test");
        assertThat(filter.filter(m)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(m.copies).isEmpty();
        assertThat(m.recipients()).containsExactly(alice, "carol@remote.test");
    }

    private static final String VACATION = """
            require "vacation";
            vacation :days 7 :addresses ["alias@example.org"] "I am away until Monday.";
            """;

    @Test
    void vacationAnswersOncePerSenderWithinItsDaysFromTheNullSender() throws Exception {
        activate(alice, VACATION);
        String header = "From: Carol <carol@else.test>\nTo: " + alice + "\nSubject: Lunch?";

        filter.filter(message("carol@else.test", List.of(alice), header));
        assertThat(queued).hasSize(1);
        Queued reply = queued.get(0);
        assertThat(reply.envelope().hasNullSender()).isTrue();
        assertThat(reply.envelope().recipients()).extracting(r -> r.address().toString())
                .containsExactly("carol@else.test");
        assertThat(reply.text()).contains("From: <" + alice + ">\r\n", "To: <carol@else.test>\r\n",
                "Subject: Auto: Lunch?\r\n", "In-Reply-To: <m1@example.net>\r\n",
                "Auto-Submitted: auto-replied", "\r\n\r\nI am away until Monday.\r\n");

        clock.now = clock.now.plus(Duration.ofDays(6));
        filter.filter(message("carol@else.test", List.of(alice), header));
        assertThat(queued).hasSize(1);

        clock.now = clock.now.plus(Duration.ofDays(1).plusMinutes(1));
        filter.filter(message("carol@else.test", List.of(alice), header));
        assertThat(queued).hasSize(2);
    }

    @Test
    void vacationNeverAnswersListsBouncesAutomatonsOrMailNotAddressedToTheUser() throws Exception {
        activate(alice, VACATION);
        String to = "\nTo: " + alice + "\nSubject: x";
        filter.filter(message("news@lists.test", List.of(alice), "From: news@lists.test" + to + "\nList-Id: <n.lists.test>"));
        filter.filter(message("news@lists.test", List.of(alice), "From: news@lists.test" + to + "\nPrecedence: bulk"));
        filter.filter(message("news@lists.test", List.of(alice), "From: news@lists.test" + to + "\nPrecedence: list"));
        filter.filter(message(null, List.of(alice), "From: MAILER-DAEMON@else.test" + to));
        filter.filter(message("MAILER-DAEMON@else.test", List.of(alice), "From: MAILER-DAEMON@else.test" + to));
        filter.filter(message("owner-team@lists.test", List.of(alice), "From: owner-team@lists.test" + to));
        filter.filter(message("bot@else.test", List.of(alice), "From: bot@else.test" + to
                + "\nAuto-Submitted: auto-generated"));
        filter.filter(message("dave@else.test", List.of(alice), "From: dave@else.test\nTo: undisclosed-recipients:;"));
        filter.filter(message("dave@else.test", List.of(alice), "From: dave@else.test\nTo: x" + alice));
        assertThat(queued).isEmpty();

        filter.filter(message("erin@else.test", List.of(alice), "From: erin@else.test\nCc: Alias <alias@example.org>"));
        assertThat(queued).extracting(q -> q.envelope().recipients().get(0).address().toString())
                .containsExactly("erin@else.test");
    }
}
