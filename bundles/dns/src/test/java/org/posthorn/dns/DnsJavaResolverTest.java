package org.posthorn.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.MxRecord;
import org.posthorn.dns.testing.DnsTestServer;

class DnsJavaResolverTest {

    private DnsTestServer dns;
    private DnsJavaResolver resolver;

    @BeforeEach
    void start() throws Exception {
        dns = DnsTestServer.start();
        resolver = new DnsJavaResolver(List.of(dns.address()), Duration.ofMillis(300));
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    @Test
    void mxRecordsComeWithTheirPreferenceAndWithoutTrailingDot() throws Exception {
        dns.mx("example.test", 10, "MX1.example.test").mx("example.test", 20, "mx2.example.test");

        assertThat(resolver.mx("example.test"))
                .containsExactlyInAnyOrder(new MxRecord(10, "mx1.example.test"), new MxRecord(20, "mx2.example.test"));
    }

    @Test
    void aNullMxHasTheRootAsItsHost() throws Exception {
        dns.mx("nomail.test", 0, ".");

        assertThat(resolver.mx("nomail.test")).singleElement().satisfies(mx -> assertThat(mx.isNullMx()).isTrue());
    }

    @Test
    void aDomainWithoutMxGivesAnEmptyList() throws Exception {
        dns.a("plain.test", "192.0.2.7");

        assertThat(resolver.mx("plain.test")).isEmpty();
    }

    @Test
    void addressesAreIpv4ThenIpv6() throws Exception {
        dns.aaaa("host.test", "2001:db8::7").a("host.test", "192.0.2.7");

        assertThat(resolver.addresses("host.test"))
                .containsExactly(InetAddress.getByName("192.0.2.7"), InetAddress.getByName("2001:db8::7"));
    }

    @Test
    void txtRecordsJoinTheirStrings() throws Exception {
        dns.txt("example.test", "v=spf1 ip4:192.0.2.0/24 ", "-all").txt("example.test", "other");

        assertThat(resolver.txt("example.test")).containsExactlyInAnyOrder("v=spf1 ip4:192.0.2.0/24 -all", "other");
    }

    @Test
    void reverseLookupsGiveTheHostNamesOfAnAddress() throws Exception {
        dns.ptr("192.0.2.7", "Mail.Example.test").ptr("2001:db8::7", "v6.example.test");

        assertThat(resolver.ptr(InetAddress.getByName("192.0.2.7"))).containsExactly("mail.example.test");
        assertThat(resolver.ptr(InetAddress.getByName("2001:db8::7"))).containsExactly("v6.example.test");
    }

    @Test
    void anAddressWithoutReverseDnsIsNoSuchDomain() {
        assertThatThrownBy(() -> resolver.ptr(InetAddress.getByName("192.0.2.99")))
                .isInstanceOfSatisfying(DnsLookupException.class,
                        e -> assertThat(e.kind()).isEqualTo(DnsLookupException.Kind.NO_SUCH_DOMAIN));
    }

    @Test
    void nxdomainIsNoSuchDomain() {
        assertThatThrownBy(() -> resolver.mx("missing.test"))
                .isInstanceOfSatisfying(DnsLookupException.class,
                        e -> assertThat(e.kind()).isEqualTo(DnsLookupException.Kind.NO_SUCH_DOMAIN));
    }

    @Test
    void servfailIsTemporary() throws Exception {
        dns.servfail("broken.test");

        assertThatThrownBy(() -> resolver.mx("broken.test"))
                .isInstanceOfSatisfying(DnsLookupException.class,
                        e -> assertThat(e.kind()).isEqualTo(DnsLookupException.Kind.TEMPORARY));
    }

    @Test
    void noAnswerIsTemporaryAfterRetrying() throws Exception {
        dns.silent("slow.test");

        assertThatThrownBy(() -> resolver.mx("slow.test"))
                .isInstanceOfSatisfying(DnsLookupException.class,
                        e -> assertThat(e.kind()).isEqualTo(DnsLookupException.Kind.TEMPORARY));
        assertThat(dns.queries()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void serversAreIpAddressesWithOptionalPorts() throws Exception {
        assertThat(DnsJavaResolver.parseServers(List.of("192.0.2.53", "192.0.2.54:5353", "2001:db8::53", "[2001:db8::54]:5353")))
                .containsExactly(new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 53),
                        new InetSocketAddress(InetAddress.getByName("192.0.2.54"), 5353),
                        new InetSocketAddress(InetAddress.getByName("2001:db8::53"), 53),
                        new InetSocketAddress(InetAddress.getByName("2001:db8::54"), 5353));
        assertThatThrownBy(() -> DnsJavaResolver.parseServers(List.of("dns.example.test")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConfigurationNamesServersCommaSeparatedAndRejectsABadTimeout() throws Exception {
        dns.a("host.test", "192.0.2.7");
        DnsJavaResolver configured = new DnsJavaResolver(options(new String[] {" 127.0.0.1:" + dns.address().getPort() + ", "}, 300));

        assertThat(configured.servers()).containsExactly(dns.address());
        assertThat(configured.addresses("host.test")).containsExactly(InetAddress.getByName("192.0.2.7"));
        assertThatThrownBy(() -> new DnsJavaResolver(options(new String[0], 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout.ms");
        assertThatThrownBy(() -> new DnsJavaResolver(options(new String[] {"dns.example"}, 300)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dns.example");
    }

    private static DnsJavaResolver.Options options(String[] servers, int timeoutMillis) {
        return new DnsJavaResolver.Options() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return DnsJavaResolver.Options.class;
            }

            @Override
            public String[] servers() {
                return servers;
            }

            @Override
            public int timeout_ms() {
                return timeoutMillis;
            }
        };
    }
}
