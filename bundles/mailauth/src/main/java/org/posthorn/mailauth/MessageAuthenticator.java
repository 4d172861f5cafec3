package org.posthorn.mailauth;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.mailauth.dkim.DkimResult;
import org.posthorn.mailauth.dkim.DkimVerifier;
import org.posthorn.mailauth.dkim.RawHeader;
import org.posthorn.mailauth.dmarc.DmarcEvaluator;
import org.posthorn.mailauth.dmarc.DmarcResult;
import org.posthorn.mailauth.spf.SpfEvaluator;
import org.posthorn.mailauth.spf.SpfResult;

/**
 * Runs DKIM verification, SPF and DMARC on one message, all of its DNS look-ups within one time
 * budget ({@link DnsBudget}). Thread-safe; {@link #close} when done with it.
 */
public final class MessageAuthenticator implements AutoCloseable {

    /** The checks of one message, made on the resolver they are to use. */
    public record Checks(DkimVerifier dkim, SpfEvaluator spf, DmarcEvaluator dmarc) {
    }

    /** Look-ups waiting for a dead resolver at most at once; beyond, a look-up fails as temporary. */
    private static final int MAX_LOOKUP_THREADS = 256;

    private final DnsResolver dns;
    private final Duration dnsBudget;
    private final Function<DnsResolver, Checks> checks;
    private final ThreadPoolExecutor lookups;

    /**
     * @param dnsBudget how long the DNS look-ups of one message may take together
     * @param checks    makes the checks for one message on the resolver given
     */
    public MessageAuthenticator(DnsResolver dns, Duration dnsBudget, Function<DnsResolver, Checks> checks) {
        if (dnsBudget.isNegative() || dnsBudget.isZero()) {
            throw new IllegalArgumentException("the DNS budget must be positive: " + dnsBudget);
        }
        this.dns = dns;
        this.dnsBudget = dnsBudget;
        this.checks = checks;
        AtomicInteger n = new AtomicInteger();
        this.lookups = new ThreadPoolExecutor(0, MAX_LOOKUP_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "posthorn-mailauth-dns-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param client the connecting client's address
     * @param helo   the HELO/EHLO name it gave
     * @param sender the MAIL FROM address, or null for {@code <>}
     */
    public Evaluation evaluate(InetAddress client, String helo, MailAddress sender, MessageSource message) throws IOException {
        Checks c = checks.apply(new DnsBudget(dns, lookups, dnsBudget));
        List<DkimResult> signatures = c.dkim().verify(message);
        // RFC 7208 §2.4: for the null sender, SPF checks postmaster@<HELO name>
        boolean heloChecked = sender == null;
        String identity = heloChecked ? "postmaster@" + helo : sender.localPart() + "@" + sender.domain();
        SpfResult spfResult = c.spf().check(client, identity, helo);
        List<String> from;
        try (InputStream in = message.openStream()) {
            from = RawHeader.read(new BufferedInputStream(in)).all("From").stream().map(RawHeader.Field::value).toList();
        }
        String fromDomain = AuthorDomain.of(from).orElse(null);
        DmarcResult dmarcResult = c.dmarc().evaluate(fromDomain, signatures, spfResult, spfResult.domain());
        return new Evaluation(signatures, spfResult, identity, heloChecked, dmarcResult);
    }

    /** Lets look-ups still running finish in the background; no new ones start. */
    @Override
    public void close() {
        lookups.shutdown();
    }
}
