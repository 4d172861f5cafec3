package org.posthorn.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.queue.testing.MutableClock;

/** Greylisting on a real Derby, migrated as the bundle does it, with a clock the test moves. */
class GreylistPolicyTest {

    @TempDir
    static Path folder;
    private static DerbyDatabase database;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
    private GreylistPolicy policy;

    @BeforeAll
    static void openDatabase() throws Exception {
        database = new DerbyDatabase(folder.resolve("derby"), 1000);
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    @BeforeEach
    void enabledWithTheShippedValues() throws Exception {
        policy = policy(Map.of("enabled", true, "whitelist.clients", "198.51.100.0/24", "whitelist.senders", "partner.example"));
        try (var c = database.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("DELETE FROM greylist");
        }
    }

    private GreylistPolicy policy(Map<String, Object> values) throws Exception {
        return new GreylistPolicy(Configs.of(GreylistPolicy.Config.class, values), database, new SqlSchemaMigrator(database), clock);
    }

    @Test
    void aNewTripletIsRefusedFor451UntilTheDelayHasPassedThenItPassesWithAHeader() throws Exception {
        SessionFacts session = session("192.0.2.10", "alice@sender.example");

        assertThat(policy.recipient(session, bob(), true).reply()).isEqualTo("451 4.7.1 Greylisted, please try again later");
        clock.advance(Duration.ofSeconds(299));
        assertThat(policy.recipient(session, bob(), true).action()).isEqualTo(PolicyVerdict.Action.TEMPFAIL);
        clock.advance(Duration.ofSeconds(61));

        PolicyVerdict retry = policy.recipient(session, bob(), true);

        assertThat(retry.action()).isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(retry.headers()).containsExactly(new HeaderField("X-Posthorn-Greylist", "delayed 360 seconds"));
        clock.advance(Duration.ofDays(30));
        assertThat(policy.recipient(session, bob(), true)).isEqualTo(PolicyVerdict.ACCEPT);
    }

    @Test
    void theTripletIsTheClientNetworkSoAnotherHostOfThePoolPassesButAnotherSenderWaits() throws Exception {
        policy.recipient(session("192.0.2.10", "alice@sender.example"), bob(), true);
        clock.advance(Duration.ofMinutes(10));

        assertThat(policy.recipient(session("192.0.2.200", "ALICE@sender.example"), bob(), true).action())
                .isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(policy.recipient(session("192.0.3.10", "alice@sender.example"), bob(), true).action())
                .isEqualTo(PolicyVerdict.Action.TEMPFAIL);
        assertThat(policy.recipient(session("192.0.2.10", "carol@sender.example"), bob(), true).action())
                .isEqualTo(PolicyVerdict.Action.TEMPFAIL);
        assertThat(policy.recipient(session("192.0.2.10", null), bob(), true).action())
                .as("the null sender of bounces is a sender of its own").isEqualTo(PolicyVerdict.Action.TEMPFAIL);
    }

    @Test
    void aRetryAfterTheWindowAndAPassUnusedBeyondTheExpiryStartAgain() throws Exception {
        SessionFacts late = session("192.0.2.10", "late@sender.example");
        SessionFacts quiet = session("192.0.2.10", "quiet@sender.example");
        policy.recipient(late, bob(), true);
        policy.recipient(quiet, bob(), true);
        clock.advance(Duration.ofMinutes(6));
        policy.recipient(quiet, bob(), true);

        clock.advance(Duration.ofHours(49));
        assertThat(policy.recipient(late, bob(), true).action()).isEqualTo(PolicyVerdict.Action.TEMPFAIL);
        clock.advance(Duration.ofDays(36));
        assertThat(policy.recipient(quiet, bob(), true).action()).isEqualTo(PolicyVerdict.Action.TEMPFAIL);
    }

    @Test
    void purgeRemovesTripletsThatNeverCameBackAndPassesLongUnused() throws Exception {
        policy.recipient(session("192.0.2.10", "once@sender.example"), bob(), true);
        SessionFacts regular = session("192.0.2.10", "regular@sender.example");
        policy.recipient(regular, bob(), true);
        clock.advance(Duration.ofMinutes(6));
        policy.recipient(regular, bob(), true);

        clock.advance(Duration.ofHours(49));
        assertThat(policy.purge()).as("the one that never came back").isEqualTo(1);
        clock.advance(Duration.ofDays(35));
        assertThat(policy.purge()).as("the passed one, unused since").isEqualTo(1);
        assertThat(policy.purge()).isZero();
    }

    @Test
    void authenticatedClientsWhitelistedNetworksSendersAndRelayedRecipientsSkipIt() throws Exception {
        SessionFacts authenticated = new SessionFacts("submission", InetAddress.getByName("192.0.2.10"), null, "client.example",
                true, "alice@example.org", MailAddress.parse("alice@example.org"));

        assertThat(policy.appliesTo(session("192.0.2.10", "x@sender.example"))).isTrue();
        assertThat(policy.appliesTo(authenticated)).isFalse();
        assertThat(policy.appliesTo(session("198.51.100.7", "x@sender.example"))).isFalse();
        assertThat(policy.recipient(session("192.0.2.10", "news@PARTNER.example"), bob(), true)).isEqualTo(PolicyVerdict.ACCEPT);
        assertThat(policy.recipient(session("192.0.2.10", "x@sender.example"), MailAddress.parse("z@remote.example"), false))
                .isEqualTo(PolicyVerdict.ACCEPT);
    }

    @Test
    void offByDefaultAndBadValuesFailActivation() throws Exception {
        assertThat(policy(Map.of()).appliesTo(session("192.0.2.10", "x@sender.example"))).isFalse();
        assertThatThrownBy(() -> policy(Map.of("whitelist.clients", "mail.example.org")))
                .hasMessage("not an IP address: 'mail.example.org'");
        assertThatThrownBy(() -> policy(Map.of("ipv4.prefix", 33))).hasMessageContaining("ipv4.prefix 0-32");
    }

    @Test
    void ipv6ClientsAreGroupedBySlash64() throws Exception {
        policy.recipient(session("2001:db8:1:2::10", "alice@sender.example"), bob(), true);
        clock.advance(Duration.ofMinutes(6));

        assertThat(policy.recipient(session("2001:db8:1:2:ffff::1", "alice@sender.example"), bob(), true).action())
                .isEqualTo(PolicyVerdict.Action.ACCEPT);
        assertThat(List.of(Network.parse("2001:db8:1:2:ffff::1/64").toString())).containsExactly("2001:db8:1:2:0:0:0:0/64");
    }

    private static MailAddress bob() {
        return MailAddress.parse("bob@example.org");
    }

    private static SessionFacts session(String client, String sender) throws Exception {
        return new SessionFacts("mx", InetAddress.getByName(client), null, "mail.sender.example", false, null,
                sender == null ? null : MailAddress.parse(sender));
    }
}
