package org.posthorn.mailauth;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.posthorn.api.dns.DnsResolver;
import org.posthorn.dns.DnsJavaResolver;
import org.posthorn.dns.testing.DnsTestServer;

/** A loopback DNS server and the real resolver pointed at it, for one test class. */
public final class TestDns implements AutoCloseable {

    public final DnsTestServer server;
    public final DnsResolver resolver;

    public TestDns() throws IOException {
        server = DnsTestServer.start();
        resolver = new DnsJavaResolver(List.of(server.address()), Duration.ofSeconds(2));
    }

    /** A TXT record of any length, cut into character-strings of at most 255 bytes as a zone file would. */
    public TestDns txt(String name, String text) throws IOException {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) {
            parts.add(text.substring(i, Math.min(text.length(), i + 255)));
        }
        server.txt(name, parts.toArray(String[]::new));
        return this;
    }

    @Override
    public void close() {
        server.close();
    }
}
