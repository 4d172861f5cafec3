package org.posthorn.itests;

import java.io.IOException;
import java.nio.file.Files;

import org.posthorn.dns.testing.DnsTestServer;

/**
 * One DNS server on loopback for the integration tests, started once per test JVM. A test that
 * points the distribution's resolver at it gets an answer at once for every name (NXDOMAIN unless
 * the test added records) instead of waiting for the timeouts of this machine's resolver, which
 * may not answer at all in a sandbox or CI. Served from outside Felix: Pax Exam's native
 * container runs the configuration in this JVM, so the server answers while the tests run. A
 * class of its own, so that the test classes load in Felix without the DNS test server.
 */
final class LoopbackDns {

    private static DnsTestServer server;
    private static boolean mailAuthZone;

    private LoopbackDns() {
    }

    private static synchronized DnsTestServer server() throws IOException {
        if (server == null) {
            server = DnsTestServer.start();
        }
        return server;
    }

    /** Points the distribution's resolver ({@code org.posthorn.dns}) at the loopback server. */
    static void configure(PosthornDistribution distribution) throws IOException {
        Files.writeString(distribution.conf().resolve("org.posthorn.dns.cfg"),
                "servers=127.0.0.1:" + server().address().getPort() + "\ntimeout.ms=2000\n");
    }

    /**
     * The records MailAuthIT's messages need: a remote MX on loopback, a strict SPF and DMARC
     * domain. Once only: Pax Exam may run a configuration more than once, and a second DMARC
     * or SPF record would make the domain's policy invalid.
     */
    static synchronized void addMailAuthZone() throws IOException {
        if (mailAuthZone) {
            return;
        }
        mailAuthZone = true;
        server().mx("remote.example", 10, "sink.remote.example")
                .a("sink.remote.example", "127.0.0.1")
                .txt("bank.example", "v=spf1 -all")
                .txt("_dmarc.bank.example", "v=DMARC1; p=reject");
    }
}
