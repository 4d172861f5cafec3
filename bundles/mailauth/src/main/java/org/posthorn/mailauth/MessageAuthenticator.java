package org.posthorn.mailauth;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;

import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.mailauth.dkim.DkimResult;
import org.posthorn.mailauth.dkim.DkimVerifier;
import org.posthorn.mailauth.dkim.RawHeader;
import org.posthorn.mailauth.dmarc.DmarcEvaluator;
import org.posthorn.mailauth.dmarc.DmarcResult;
import org.posthorn.mailauth.spf.SpfEvaluator;
import org.posthorn.mailauth.spf.SpfResult;

/** Runs DKIM verification, SPF and DMARC on one message. Thread-safe. */
public final class MessageAuthenticator {

    private final DkimVerifier dkim;
    private final SpfEvaluator spf;
    private final DmarcEvaluator dmarc;

    public MessageAuthenticator(DkimVerifier dkim, SpfEvaluator spf, DmarcEvaluator dmarc) {
        this.dkim = dkim;
        this.spf = spf;
        this.dmarc = dmarc;
    }

    /**
     * @param client the connecting client's address
     * @param helo   the HELO/EHLO name it gave
     * @param sender the MAIL FROM address, or null for {@code <>}
     */
    public Evaluation evaluate(InetAddress client, String helo, MailAddress sender, MessageSource message) throws IOException {
        List<DkimResult> signatures = dkim.verify(message);
        // RFC 7208 §2.4: for the null sender, SPF checks postmaster@<HELO name>
        boolean heloChecked = sender == null;
        String identity = heloChecked ? "postmaster@" + helo : sender.localPart() + "@" + sender.domain();
        SpfResult spfResult = spf.check(client, identity, helo);
        List<String> from;
        try (InputStream in = message.openStream()) {
            from = RawHeader.read(new BufferedInputStream(in)).all("From").stream().map(RawHeader.Field::value).toList();
        }
        String fromDomain = AuthorDomain.of(from).orElse(null);
        DmarcResult dmarcResult = dmarc.evaluate(fromDomain, signatures, spfResult, spfResult.domain());
        return new Evaluation(signatures, spfResult, identity, heloChecked, dmarcResult);
    }
}
