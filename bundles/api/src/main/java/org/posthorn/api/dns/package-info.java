/**
 * DNS look-ups for mail: MX, addresses, TXT (SPF, DKIM, DMARC) and PTR. One resolver service,
 * configured once, serves remote delivery, the SMTP server and the filters, so tests point all of
 * them at one loopback DNS server.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.dns;
