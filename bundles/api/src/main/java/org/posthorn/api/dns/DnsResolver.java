package org.posthorn.api.dns;

import java.net.InetAddress;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The DNS questions a mail server asks: mail exchangers and host addresses for remote delivery,
 * TXT records for SPF, DKIM and DMARC, and PTR records for the names of connecting clients.
 * Names are absolute and in ASCII (A-labels); no search list applies. Implementations are
 * thread-safe and may block for as long as their timeouts allow. Offered as an OSGi service by
 * {@code org.posthorn.dns} (configuration PID {@code org.posthorn.dns}).
 */
@ProviderType
public interface DnsResolver {

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

    /**
     * The host names a reverse (PTR) lookup of an address gives, lower case, without the trailing dot.
     *
     * @return empty if the reverse name exists but has no PTR record
     * @throws DnsLookupException as for {@link #mx}; NXDOMAIN is the usual answer for an address
     *                            without reverse DNS
     */
    List<String> ptr(InetAddress address) throws DnsLookupException;
}
