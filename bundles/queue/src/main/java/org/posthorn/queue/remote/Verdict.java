package org.posthorn.queue.remote;

import java.util.List;

import org.posthorn.api.mail.Recipient;
import org.posthorn.queue.remote.RecipientOutcome.Status;

/**
 * An outcome before it is attached to a recipient: one verdict often applies to several
 * recipients (a DNS failure, a rejected DATA).
 */
record Verdict(Status status, int replyCode, String enhancedCode, String diagnostic, String remoteHost) {

    static Verdict deferred(String enhancedCode, String diagnostic) {
        return new Verdict(Status.DEFERRED, 0, enhancedCode, diagnostic, null);
    }

    static Verdict failed(String enhancedCode, String diagnostic) {
        return new Verdict(Status.FAILED, 0, enhancedCode, diagnostic, null);
    }

    /** A verdict from a server's reply: 2xx delivered, 4xx deferred, 5xx failed. */
    static Verdict of(SmtpReply reply, String remoteHost) {
        Status status = reply.isPositive() ? Status.DELIVERED : reply.isTransient() ? Status.DEFERRED : Status.FAILED;
        return new Verdict(status, reply.code(), reply.enhancedCode(), reply.text(), remoteHost);
    }

    /** A reply that makes no sense at this point (e.g. 354 to RCPT) is a temporary problem. */
    static Verdict unexpected(SmtpReply reply, String command, String remoteHost) {
        return new Verdict(Status.DEFERRED, reply.code(), "4.5.0",
                "unexpected reply to " + command + ": " + reply.code() + " " + reply.text(), remoteHost);
    }

    Verdict at(String host) {
        return new Verdict(status, replyCode, enhancedCode, diagnostic, host);
    }

    RecipientOutcome outcome(Recipient recipient) {
        return new RecipientOutcome(recipient, status, replyCode, enhancedCode, diagnostic, remoteHost);
    }

    List<RecipientOutcome> outcomes(List<Recipient> recipients) {
        return recipients.stream().map(this::outcome).toList();
    }
}
