package org.posthorn.dns.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * A tiny authoritative-looking DNS server on a loopback UDP port, answering from an in-test
 * zone: records per name, or NXDOMAIN, SERVFAIL, or silence (to make a client time out).
 */
public final class DnsTestServer implements AutoCloseable {

    private static final long TTL = 60;

    private enum Behaviour { ANSWER, SERVFAIL, SILENT }

    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Map<Name, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();

    private DnsTestServer(DatagramSocket socket) {
        this.socket = socket;
        this.thread = new Thread(this::serve, "dns-test-server");
        thread.setDaemon(true);
        thread.start();
    }

    public static DnsTestServer start() throws IOException {
        return start(0);
    }

    /** A server on a given loopback UDP port (0: any free one), for a test that configured the port beforehand. */
    public static DnsTestServer start(int port) throws IOException {
        return new DnsTestServer(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    public int queries() {
        return queries.get();
    }

    public DnsTestServer mx(String domain, int preference, String host) throws TextParseException {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(host)));
    }

    public DnsTestServer a(String host, String address) throws IOException {
        return add(new ARecord(name(host), DClass.IN, TTL, InetAddress.getByName(address)));
    }

    public DnsTestServer aaaa(String host, String address) throws IOException {
        return add(new AAAARecord(name(host), DClass.IN, TTL, InetAddress.getByName(address)));
    }

    public DnsTestServer txt(String host, String... strings) throws TextParseException {
        return add(new TXTRecord(name(host), DClass.IN, TTL, List.of(strings)));
    }

    /** A PTR record for an address: its reverse name points at host. */
    public DnsTestServer ptr(String address, String host) throws IOException {
        return add(new PTRRecord(ReverseMap.fromAddress(InetAddress.getByName(address)), DClass.IN, TTL, name(host)));
    }

    /** The name exists but has no records (answers NOERROR with an empty answer). */
    public DnsTestServer empty(String host) throws TextParseException {
        zone.computeIfAbsent(name(host), n -> new CopyOnWriteArrayList<>());
        return this;
    }

    public DnsTestServer servfail(String host) throws TextParseException {
        behaviours.put(name(host), Behaviour.SERVFAIL);
        return this;
    }

    public DnsTestServer silent(String host) throws TextParseException {
        behaviours.put(name(host), Behaviour.SILENT);
        return this;
    }

    private DnsTestServer add(Record r) {
        zone.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
        return this;
    }

    private static Name name(String text) throws TextParseException {
        return Name.fromString(text.endsWith(".") ? text : text + ".");
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                queries.incrementAndGet();
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                byte[] answer = answer(query);
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a packet we cannot parse
            }
        }
    }

    private byte[] answer(Message query) {
        Record question = query.getQuestion();
        Behaviour behaviour = behaviours.getOrDefault(question.getName(), Behaviour.ANSWER);
        if (behaviour == Behaviour.SILENT) {
            return null;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RD);
        response.getHeader().setFlag(Flags.RA);
        response.addRecord(question, Section.QUESTION);
        List<Record> records = zone.get(question.getName());
        if (behaviour == Behaviour.SERVFAIL) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (records == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            records.stream().filter(r -> r.getType() == question.getType())
                    .forEach(r -> response.addRecord(r, Section.ANSWER));
        }
        return response.toWire();
    }

    @Override
    /** Returns once the port is free again: a socket closed under a blocked receive is released only when it returns. */
    public void close() {
        socket.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
