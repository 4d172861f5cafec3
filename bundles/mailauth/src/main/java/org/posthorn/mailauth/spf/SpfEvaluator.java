package org.posthorn.mailauth.spf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.dns.MxRecord;
import org.posthorn.mailauth.spf.SpfResult.Result;

/**
 * The SPF {@code check_host()} function (RFC 7208 §4): every mechanism ({@code all},
 * {@code include}, {@code a}, {@code mx}, {@code ptr}, {@code ip4}, {@code ip6},
 * {@code exists}) and the {@code redirect} modifier, macros (§7) except those only allowed
 * in explanations, and the limits of §4.6.4: at most {@value #MAX_LOOKUPS} terms that ask the
 * DNS, {@value #MAX_VOID_LOOKUPS} of them finding nothing, 10 names per {@code mx} or
 * {@code ptr}. {@code exp} is accepted and ignored: no explanation is fetched. Thread-safe.
 */
public final class SpfEvaluator {

    public static final int MAX_LOOKUPS = 10;
    public static final int MAX_VOID_LOOKUPS = 2;
    private static final int MAX_NAMES = 10;
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
    private static final Pattern DIRECTIVE = Pattern.compile("([+\\-?~]?)([A-Za-z][A-Za-z0-9_.-]*)(.*)");
    private static final Pattern MACRO = Pattern.compile("%\\{([A-Za-z])(\\d*)(r?)([.\\-+,/_=]*)}", Pattern.CASE_INSENSITIVE);

    private final DnsResolver dns;

    public SpfEvaluator(DnsResolver dns) {
        this.dns = dns;
    }

    /**
     * Checks whether {@code ip} may send mail for {@code sender}.
     *
     * @param sender the MAIL FROM address, or {@code postmaster@<helo>} for the null sender or a
     *               HELO check (RFC 7208 §2.3, §2.4)
     * @param helo   the name the client gave in HELO/EHLO (for the %{h} macro)
     */
    public SpfResult check(InetAddress ip, String sender, String helo) {
        int at = sender.lastIndexOf('@');
        String domain = sender.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        // §4.3: a domain that is not a multi-label name has no SPF record
        if (!domain.matches("([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") || domain.length() > 253) {
            return new SpfResult(Result.NONE, domain, null);
        }
        String local = at <= 0 ? "postmaster" : sender.substring(0, at);
        Evaluation evaluation = new Evaluation(ip, local, domain, helo == null ? "unknown" : helo);
        try {
            return new SpfResult(evaluation.checkHost(domain), domain, null);
        } catch (Abort abort) {
            return new SpfResult(abort.result, domain, abort.getMessage());
        }
    }

    /** A temperror or permerror that ends the whole check. */
    private static final class Abort extends Exception {
        final Result result;

        Abort(Result result, String message) {
            super(message, null, false, false);
            this.result = result;
        }
    }

    private static Abort perm(String message) {
        return new Abort(Result.PERMERROR, message);
    }

    private record Directive(char qualifier, String mechanism, String argument) {
    }

    /** One check_host() run with its counters; not shared between threads. */
    private final class Evaluation {
        private final InetAddress ip;
        private final String localPart;
        private final String senderDomain;
        private final String helo;
        private int lookups;
        private int voidLookups;

        Evaluation(InetAddress ip, String localPart, String senderDomain, String helo) {
            this.ip = ip;
            this.localPart = localPart;
            this.senderDomain = senderDomain;
            this.helo = helo;
        }

        Result checkHost(String domain) throws Abort {
            List<String> records;
            try {
                records = dns.txt(domain).stream().filter(SpfEvaluator::isSpf).toList();
            } catch (DnsLookupException e) {
                if (e.kind() == DnsLookupException.Kind.TEMPORARY) {
                    throw new Abort(Result.TEMPERROR, "DNS lookup of " + domain + " failed: " + e.getMessage());
                }
                return Result.NONE;
            }
            if (records.isEmpty()) {
                return Result.NONE;
            }
            if (records.size() > 1) {
                throw perm(domain + " has more than one SPF record");
            }
            // §4.6: the whole record is parsed first; a syntax error anywhere is a permerror
            List<Directive> directives = new ArrayList<>();
            Map<String, String> modifiers = new HashMap<>();
            for (String term : records.get(0).substring(6).strip().split(" +")) {
                if (term.isEmpty()) {
                    continue;
                }
                Matcher modifier = MODIFIER.matcher(term);
                if (modifier.matches()) {
                    String name = modifier.group(1).toLowerCase(Locale.ROOT);
                    if (modifiers.put(name, modifier.group(2)) != null && (name.equals("redirect") || name.equals("exp"))) {
                        throw perm(name + "= given twice");
                    }
                    continue;
                }
                Matcher directive = DIRECTIVE.matcher(term);
                if (!directive.matches()) {
                    throw perm("unknown term " + term);
                }
                String mechanism = directive.group(2).toLowerCase(Locale.ROOT);
                String argument = directive.group(3);
                checkSyntax(mechanism, argument);
                directives.add(new Directive(directive.group(1).isEmpty() ? '+' : directive.group(1).charAt(0), mechanism, argument));
            }
            for (Directive d : directives) {
                if (matches(d, domain)) {
                    return switch (d.qualifier()) {
                        case '-' -> Result.FAIL;
                        case '~' -> Result.SOFTFAIL;
                        case '?' -> Result.NEUTRAL;
                        default -> Result.PASS;
                    };
                }
            }
            String redirect = modifiers.get("redirect");
            if (redirect == null) {
                return Result.NEUTRAL;
            }
            countLookup();
            Result result = checkHost(expand(redirect, domain));
            if (result == Result.NONE) {
                throw perm("redirect to a domain without SPF record");
            }
            return result;
        }

        private void checkSyntax(String mechanism, String argument) throws Abort {
            boolean ok = switch (mechanism) {
                case "all" -> argument.isEmpty();
                case "include", "exists" -> argument.startsWith(":") && argument.length() > 1;
                case "a", "mx" -> argument.isEmpty() || argument.startsWith(":") || argument.startsWith("/");
                case "ptr" -> argument.isEmpty() || (argument.startsWith(":") && argument.length() > 1);
                case "ip4", "ip6" -> argument.startsWith(":") && argument.length() > 1;
                default -> throw perm("unknown mechanism " + mechanism);
            };
            if (!ok) {
                throw perm("malformed " + mechanism + argument);
            }
        }

        private boolean matches(Directive d, String domain) throws Abort {
            String argument = d.argument();
            switch (d.mechanism()) {
                case "all":
                    return true;
                case "ip4":
                case "ip6": {
                    String[] net = argument.substring(1).split("/", -1);
                    InetAddress address = literal(net[0], d.mechanism().equals("ip4"));
                    int bits = net.length > 1 ? prefix(net[1], address instanceof Inet4Address ? 32 : 128) : -1;
                    return inNetwork(address, bits);
                }
                case "include": {
                    countLookup();
                    Result result = checkHost(expand(argument.substring(1), domain));
                    return switch (result) {
                        case PASS -> true;
                        case FAIL, SOFTFAIL, NEUTRAL -> false;
                        case TEMPERROR -> throw new Abort(Result.TEMPERROR, "include: temporary error");
                        default -> throw perm("include of a domain without a valid SPF record");
                    };
                }
                case "a":
                case "mx": {
                    countLookup();
                    String[] spec = splitCidr(argument);
                    String target = spec[0].isEmpty() ? domain : expand(spec[0], domain);
                    int v4 = spec[1] == null ? 32 : prefix(spec[1], 32);
                    int v6 = spec[2] == null ? 128 : prefix(spec[2], 128);
                    List<String> hosts = d.mechanism().equals("a") ? List.of(target) : exchangers(target);
                    for (String host : hosts) {
                        List<InetAddress> addresses = addresses(host, d.mechanism().equals("a"));
                        for (InetAddress address : addresses) {
                            if (inNetwork(address, address instanceof Inet4Address ? v4 : v6)) {
                                return true;
                            }
                        }
                    }
                    return false;
                }
                case "ptr": {
                    countLookup();
                    String target = argument.isEmpty() ? domain : expand(argument.substring(1), domain);
                    return validatedNames().stream().anyMatch(n -> n.equals(target) || n.endsWith("." + target));
                }
                case "exists": {
                    countLookup();
                    // §5.7: an A query, whatever the connection's address family
                    return addresses(expand(argument.substring(1), domain), true).stream().anyMatch(a -> a instanceof Inet4Address);
                }
                default:
                    throw perm("unknown mechanism " + d.mechanism());
            }
        }

        private void countLookup() throws Abort {
            if (++lookups > MAX_LOOKUPS) {
                throw perm("more than " + MAX_LOOKUPS + " DNS lookups");
            }
        }

        private void countVoid() throws Abort {
            if (++voidLookups > MAX_VOID_LOOKUPS) {
                throw perm("more than " + MAX_VOID_LOOKUPS + " void DNS lookups");
            }
        }

        /** §4.6.4: the MX hosts, at most 10 of them. */
        private List<String> exchangers(String domain) throws Abort {
            List<MxRecord> records;
            try {
                records = dns.mx(domain);
            } catch (DnsLookupException e) {
                if (e.kind() == DnsLookupException.Kind.TEMPORARY) {
                    throw new Abort(Result.TEMPERROR, "MX lookup of " + domain + " failed");
                }
                records = List.of();
            }
            if (records.isEmpty()) {
                countVoid();
            }
            if (records.size() > MAX_NAMES) {
                throw perm(domain + " has more than " + MAX_NAMES + " MX records");
            }
            return records.stream().filter(r -> !r.isNullMx()).sorted((a, b) -> a.preference() - b.preference())
                    .map(MxRecord::host).toList();
        }

        /** Addresses of a name; a name with none counts as a void lookup where the mechanism itself asked. */
        private List<InetAddress> addresses(String host, boolean countsAsVoid) throws Abort {
            List<InetAddress> found;
            try {
                found = dns.addresses(host);
            } catch (DnsLookupException e) {
                if (e.kind() == DnsLookupException.Kind.TEMPORARY) {
                    throw new Abort(Result.TEMPERROR, "address lookup of " + host + " failed");
                }
                found = List.of();
            }
            if (found.isEmpty() && countsAsVoid) {
                countVoid();
            }
            return found;
        }

        /** §5.5: the PTR names of the client whose addresses lead back to it; DNS errors mean none. */
        private List<String> validatedNames() throws Abort {
            List<String> names;
            try {
                names = dns.ptr(ip);
            } catch (DnsLookupException e) {
                return List.of();
            }
            List<String> validated = new ArrayList<>();
            for (String name : names.subList(0, Math.min(MAX_NAMES, names.size()))) {
                try {
                    if (dns.addresses(name).contains(ip)) {
                        validated.add(name.toLowerCase(Locale.ROOT));
                    }
                } catch (DnsLookupException e) {
                    // §5.5: a name whose addresses cannot be found is skipped
                }
            }
            return validated;
        }

        private boolean inNetwork(InetAddress network, int bits) {
            if (network.getClass() != ip.getClass()) {
                return false;
            }
            byte[] a = network.getAddress();
            byte[] b = ip.getAddress();
            int prefix = bits < 0 ? a.length * 8 : bits;
            for (int i = 0; i < prefix; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** §7: macro expansion of a domain-spec; the result is cut to 253 characters from the left (§7.3). */
        String expand(String spec, String domain) throws Abort {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < spec.length()) {
                char c = spec.charAt(i);
                if (c != '%') {
                    out.append(c);
                    i++;
                    continue;
                }
                if (i + 1 >= spec.length()) {
                    throw perm("'%' at the end of " + spec);
                }
                char next = spec.charAt(i + 1);
                if (next == '%') {
                    out.append('%');
                    i += 2;
                } else if (next == '_') {
                    out.append(' ');
                    i += 2;
                } else if (next == '-') {
                    out.append("%20");
                    i += 2;
                } else {
                    Matcher m = MACRO.matcher(spec);
                    if (next != '{' || !m.find(i) || m.start() != i) {
                        throw perm("bad macro in " + spec);
                    }
                    out.append(macro(m, domain));
                    i = m.end();
                }
            }
            String expanded = out.toString();
            while (expanded.length() > 253 && expanded.indexOf('.') >= 0) {
                expanded = expanded.substring(expanded.indexOf('.') + 1);
            }
            return expanded.toLowerCase(Locale.ROOT);
        }

        private String macro(Matcher m, String domain) throws Abort {
            char letter = m.group(1).charAt(0);
            String value = switch (Character.toLowerCase(letter)) {
                case 's' -> localPart + "@" + senderDomain;
                case 'l' -> localPart;
                case 'o' -> senderDomain;
                case 'd' -> domain;
                case 'i' -> dotted(ip);
                // §7.3: p is discouraged and costly; "unknown" is what a failed validation gives
                case 'p' -> "unknown";
                case 'v' -> ip instanceof Inet4Address ? "in-addr" : "ip6";
                case 'h' -> helo;
                default -> throw perm("macro %{" + letter + "} is not allowed here");
            };
            String delimiters = m.group(4).isEmpty() ? "." : m.group(4);
            List<String> parts = new ArrayList<>(List.of(value.split("[" + Pattern.quote(delimiters) + "]", -1)));
            if (!m.group(3).isEmpty()) {
                Collections.reverse(parts);
            }
            if (!m.group(2).isEmpty()) {
                int keep = Integer.parseInt(m.group(2));
                if (keep == 0) {
                    throw perm("macro keeps 0 labels");
                }
                parts = parts.subList(Math.max(0, parts.size() - keep), parts.size());
            }
            String result = String.join(".", parts);
            return Character.isUpperCase(letter) ? URLEncoder.encode(result, StandardCharsets.UTF_8).replace("+", "%20") : result;
        }
    }

    private static boolean isSpf(String record) {
        String lower = record.toLowerCase(Locale.ROOT);
        return lower.startsWith("v=spf1") && (lower.length() == 6 || lower.charAt(6) == ' ');
    }

    /** "name/24//64" into name, IPv4 prefix, IPv6 prefix (nulls when absent). */
    private static String[] splitCidr(String argument) {
        String rest = argument.startsWith(":") ? argument.substring(1) : argument;
        String v6 = null;
        String v4 = null;
        int dual = rest.indexOf("//");
        if (dual >= 0) {
            v6 = rest.substring(dual + 2);
            rest = rest.substring(0, dual);
        }
        int single = rest.lastIndexOf('/');
        if (single >= 0) {
            v4 = rest.substring(single + 1);
            rest = rest.substring(0, single);
        }
        return new String[] {rest, v4, v6};
    }

    private static int prefix(String text, int max) throws Abort {
        if (!text.matches("\\d{1,3}") || Integer.parseInt(text) > max || (text.length() > 1 && text.startsWith("0"))) {
            throw perm("bad prefix length /" + text);
        }
        return Integer.parseInt(text);
    }

    /** An address literal, parsed without any DNS lookup (only well-formed literals reach getByName). */
    private static InetAddress literal(String text, boolean v4) throws Abort {
        String octet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
        boolean wellFormed = v4 ? text.matches(octet + "(\\." + octet + "){3}") : text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!wellFormed) {
            throw perm("bad address " + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw perm("bad address " + text);
        }
    }

    /** §7.3: the i macro: dotted quad, or 32 dot-separated nibbles for IPv6. */
    private static String dotted(InetAddress ip) {
        if (ip instanceof Inet6Address) {
            StringBuilder out = new StringBuilder();
            for (byte b : ip.getAddress()) {
                out.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf, 16)).append('.');
            }
            return out.substring(0, out.length() - 1);
        }
        return ip.getHostAddress();
    }
}
