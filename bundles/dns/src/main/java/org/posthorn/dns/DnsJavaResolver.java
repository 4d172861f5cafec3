package org.posthorn.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.dns.MxRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsResolver} on dnsjava, asking recursive resolvers: the configured ones, or the
 * system's ({@code /etc/resolv.conf} on Unix) when none are configured. Each server is asked
 * up to {@value #TRIES_PER_SERVER} times, each try waiting {@code timeout}, before the
 * lookup counts as temporarily failed. Thread-safe.
 *
 * <p>As a component it is the {@link DnsResolver} service, configured under PID {@value #PID}; a
 * changed configuration replaces it, and with it every component holding a static reference.
 */
@Component(service = DnsResolver.class, configurationPid = DnsJavaResolver.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DnsJavaResolver.Options.class)
public final class DnsJavaResolver implements DnsResolver {

    static final String PID = "org.posthorn.dns";

    @ObjectClassDefinition(name = "Posthorn DNS resolver",
            description = "The recursive DNS servers remote delivery, SMTP and the filters ask")
    public @interface Options {

        @AttributeDefinition(description = "Recursive DNS servers (IP or IP:port, comma-separated); empty for the system's")
        String[] servers() default {};

        @AttributeDefinition(description = "How long one try at one server waits, in milliseconds (two tries per server)")
        int timeout_ms() default 5000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DnsJavaResolver.class);
    private static final int TRIES_PER_SERVER = 2;
    private static final Duration SELECTOR_SLACK = Duration.ofSeconds(1);
    private static final Pattern SERVER = Pattern.compile(
            "^(?:\\[(?<v6>[0-9A-Fa-f:.]+)](?::(?<v6port>\\d+))?|(?<v6bare>[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)"
                    + "|(?<v4>\\d{1,3}(?:\\.\\d{1,3}){3})(?::(?<v4port>\\d+))?)$");

    private final Resolver resolver;
    private final List<InetSocketAddress> servers;

    @Activate
    public DnsJavaResolver(Options options) {
        this(parseServers(Arrays.stream(options.servers()).flatMap(v -> Arrays.stream(v.split(","))).toList()),
                positive(options.timeout_ms()));
        LOG.info("DNS: asking {} (timeout {} ms per try)", servers, options.timeout_ms());
    }

    /**
     * @param servers recursive resolvers to ask, in order; empty for the system's
     * @param timeout how long one try at one server waits for an answer
     */
    public DnsJavaResolver(List<InetSocketAddress> servers, Duration timeout) {
        this.servers = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : List.copyOf(servers);
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : this.servers) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(timeout);
            resolvers.add(simple);
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setRetries(TRIES_PER_SERVER);
        // dnsjava notices a try's timeout only when its selector has been idle for a while (up to
        // a second), so the whole lookup gets that slack per try, or the last try would be cut short.
        extended.setTimeout(timeout.plus(SELECTOR_SLACK).multipliedBy((long) TRIES_PER_SERVER * Math.max(1, resolvers.size())));
        this.resolver = extended;
    }

    private static Duration positive(int millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("timeout.ms must be positive: " + millis);
        }
        return Duration.ofMillis(millis);
    }

    /**
     * Parses server addresses: {@code 192.0.2.53}, {@code 192.0.2.53:5353}, {@code 2001:db8::53}
     * or {@code [2001:db8::53]:5353}. Only IP addresses: a resolver named by host name would need
     * a resolver to find it.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static List<InetSocketAddress> parseServers(List<String> specs) {
        List<InetSocketAddress> result = new ArrayList<>();
        for (String spec : specs) {
            if (spec.isBlank()) {
                continue;
            }
            Matcher m = SERVER.matcher(spec.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not an IP address with optional port: " + spec);
            }
            String host = m.group("v4") != null ? m.group("v4")
                    : m.group("v6") != null ? m.group("v6") : m.group("v6bare");
            String port = m.group("v4port") != null ? m.group("v4port") : m.group("v6port");
            try {
                // A literal address: getByName parses it without any lookup.
                result.add(new InetSocketAddress(InetAddress.getByName(host),
                        port == null ? SimpleResolver.DEFAULT_PORT : Integer.parseInt(port)));
            } catch (UnknownHostException | IllegalArgumentException e) {
                throw new IllegalArgumentException("not an IP address with optional port: " + spec, e);
            }
        }
        return result;
    }

    /** The servers this resolver asks. */
    public List<InetSocketAddress> servers() {
        return servers;
    }

    @Override
    public List<MxRecord> mx(String domain) throws DnsLookupException {
        List<MxRecord> result = new ArrayList<>();
        for (Record r : query(domain, Type.MX)) {
            MXRecord mx = (MXRecord) r;
            result.add(new MxRecord(mx.getPriority(), mx.getTarget().toString()));
        }
        return result;
    }

    @Override
    public List<InetAddress> addresses(String host) throws DnsLookupException {
        List<InetAddress> result = new ArrayList<>();
        DnsLookupException failure = null;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            try {
                for (Record r : query(host, type)) {
                    result.add(type == Type.A ? ((ARecord) r).getAddress() : ((AAAARecord) r).getAddress());
                }
            } catch (DnsLookupException e) {
                if (e.kind() == DnsLookupException.Kind.NO_SUCH_DOMAIN) {
                    throw e;
                }
                failure = e;
            }
        }
        if (result.isEmpty() && failure != null) {
            throw failure;
        }
        return result;
    }

    @Override
    public List<String> txt(String name) throws DnsLookupException {
        List<String> result = new ArrayList<>();
        for (Record r : query(name, Type.TXT)) {
            StringBuilder sb = new StringBuilder();
            for (byte[] s : ((TXTRecord) r).getStringsAsByteArrays()) {
                sb.append(new String(s, StandardCharsets.UTF_8));
            }
            result.add(sb.toString());
        }
        return result;
    }

    @Override
    public List<String> ptr(InetAddress address) throws DnsLookupException {
        List<String> result = new ArrayList<>();
        for (Record r : query(ReverseMap.fromAddress(address), Type.PTR)) {
            String host = ((PTRRecord) r).getTarget().toString(true);
            result.add(host.toLowerCase(Locale.ROOT));
        }
        return result;
    }

    /** The answer records of the asked type (a CNAME chain the resolver followed is skipped). */
    private List<Record> query(String name, int type) throws DnsLookupException {
        try {
            return query(Name.fromString(name.endsWith(".") ? name : name + "."), type);
        } catch (TextParseException e) {
            throw new DnsLookupException(DnsLookupException.Kind.NO_SUCH_DOMAIN, "invalid domain name " + name, e);
        }
    }

    private List<Record> query(Name qname, int type) throws DnsLookupException {
        String what = Type.string(type) + " lookup of " + qname.toString(true);
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(qname, type, DClass.IN)));
        } catch (IOException e) {
            throw new DnsLookupException(DnsLookupException.Kind.TEMPORARY, what + " failed: " + e.getMessage(), e);
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            throw new DnsLookupException(DnsLookupException.Kind.NO_SUCH_DOMAIN, what + ": no such domain");
        }
        if (rcode != Rcode.NOERROR) {
            throw new DnsLookupException(DnsLookupException.Kind.TEMPORARY, what + ": server answered " + Rcode.string(rcode));
        }
        List<Record> result = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                result.add(r);
            }
        }
        return result;
    }
}
