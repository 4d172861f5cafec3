package org.posthorn.queue.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.queue.remote.RecipientOutcome.Status;

class RoutePlannerTest {

    private final StaticResolver dns = new StaticResolver();

    private RoutePlanner planner(Random random, Object... overrides) {
        return new RoutePlanner(dns, LocalHosts.of(TestMail.config(25, overrides)), random);
    }

    private static List<String> hostNames(Route route) {
        assertThat(route).isInstanceOf(Route.Hosts.class);
        return ((Route.Hosts) route).hosts().stream().map(MailHost::name).toList();
    }

    private static Verdict verdict(Route route) {
        assertThat(route).isInstanceOf(Route.Unroutable.class);
        return ((Route.Unroutable) route).verdict();
    }

    @Test
    void hostsAreOrderedByPreferenceAndShuffledWithinOne() {
        dns.mx("d.test", 20, "c.d.test").mx("d.test", 10, "a.d.test").mx("d.test", 10, "b.d.test")
                .address("a.d.test", "192.0.2.1").address("b.d.test", "192.0.2.2").address("c.d.test", "192.0.2.3");
        RoutePlanner planner = planner(new Random(7));

        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            List<String> names = hostNames(planner.plan("d.test"));
            assertThat(names.get(2)).isEqualTo("c.d.test");
            orders.add(names);
        }
        assertThat(orders).containsExactlyInAnyOrder(List.of("a.d.test", "b.d.test", "c.d.test"),
                List.of("b.d.test", "a.d.test", "c.d.test"));
    }

    @Test
    void anMxHostWithoutAddressIsSkipped() {
        dns.mx("d.test", 10, "gone.d.test").mx("d.test", 20, "b.d.test").address("b.d.test", "192.0.2.2");

        assertThat(hostNames(planner(new Random()).plan("d.test"))).containsExactly("b.d.test");
    }

    @Test
    void noResolvableMxHostFailsUnlessDnsWasTemporarilyDown() {
        dns.mx("d.test", 10, "gone.d.test");
        assertThat(verdict(planner(new Random()).plan("d.test")).enhancedCode()).isEqualTo("5.4.4");

        dns.failing("gone.d.test", DnsLookupException.Kind.TEMPORARY);
        assertThat(verdict(planner(new Random()).plan("d.test")))
                .extracting(Verdict::status, Verdict::enhancedCode).containsExactly(Status.DEFERRED, "4.4.3");
    }

    @Test
    void aDomainWithoutMxIsItsOwnHostAndOneWithoutAnyRecordFails() {
        dns.address("bare.test", "192.0.2.9").exists("empty.test");
        RoutePlanner planner = planner(new Random());

        assertThat(hostNames(planner.plan("bare.test"))).containsExactly("bare.test");
        assertThat(verdict(planner.plan("empty.test")).enhancedCode()).isEqualTo("5.4.4");
        assertThat(verdict(planner.plan("nothing.test")).enhancedCode()).isEqualTo("5.1.2");
    }

    @Test
    void aNullMxAmongOtherRecordsIsIgnored() {
        dns.mx("d.test", 0, ".").mx("d.test", 10, "b.d.test").address("b.d.test", "192.0.2.2");

        assertThat(hostNames(planner(new Random()).plan("d.test"))).containsExactly("b.d.test");
    }

    @Test
    void ourOwnAddressAmongTheMxHostsCutsItAndEveryLessPreferredHost() {
        dns.mx("d.test", 10, "a.d.test").mx("d.test", 20, "us.d.test").mx("d.test", 30, "c.d.test")
                .address("a.d.test", "192.0.2.1").address("us.d.test", "192.0.2.25").address("c.d.test", "192.0.2.3");

        assertThat(hostNames(planner(new Random(), "local.hosts", "192.0.2.25").plan("d.test")))
                .containsExactly("a.d.test");
    }

    @Test
    void addressLiteralsAreParsedAndChecked() {
        RoutePlanner planner = planner(new Random(), "local.hosts", "[192.0.2.25]");

        assertThat(((Route.Hosts) planner.plan("[IPv6:2001:db8::1]")).hosts()).singleElement()
                .satisfies(h -> assertThat(h.addresses()).containsExactly(IpLiteral.parse("2001:db8::1")));
        assertThat(verdict(planner.plan("[192.0.2.25]")).enhancedCode()).isEqualTo("5.4.6");
        assertThat(verdict(planner.plan("[999.1.1.1]")).enhancedCode()).isEqualTo("5.1.2");
        assertThat(dns.lookups()).isZero();
    }
}
