package org.posthorn.queue.remote;

import java.net.InetAddress;
import java.util.List;

/**
 * The DNS questions mail delivery asks: mail exchangers, host addresses and, for the SPF and
 * DKIM filters, TXT records. Names are absolute and in ASCII (A-labels); no search list applies.
 * Implementations are thread-safe and may block for as long as their timeouts allow.
 */
public interface MxResolver {

    /**
     * The MX records of a domain, in the order the DNS gave them.
     *
     * @return empty if the domain exists but has no MX record (then RFC 5321 §5.1 uses its address)
     * @throws DnsLookupException {@link DnsLookupException.Kind#NO_SUCH_DOMAIN} for NXDOMAIN,
     *                            {@link DnsLookupException.Kind#TEMPORARY} for timeouts and server failures
     */
    List<MxRecord> mx(String domain) throws DnsLookupException;

    /**
     * The IPv4 (A) and then IPv6 (AAAA) addresses of a host.
     *
     * @return empty if the name exists but has neither
     * @throws DnsLookupException as for {@link #mx}; a temporary failure of one of the two
     *                            queries is only reported when the other found nothing
     */
    List<InetAddress> addresses(String host) throws DnsLookupException;

    /**
     * The TXT records of a name, each record's character-strings concatenated (RFC 7208 §3.3).
     *
     * @return empty if the name exists but has no TXT record
     * @throws DnsLookupException as for {@link #mx}
     */
    List<String> txt(String name) throws DnsLookupException;
}
