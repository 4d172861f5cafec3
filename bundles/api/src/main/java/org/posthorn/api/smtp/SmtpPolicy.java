package org.posthorn.api.smtp;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;

/**
 * A check the SMTP server runs while the client is still connected, registered as an OSGi
 * service by any bundle: greylisting at RCPT TO, SPF/DKIM/DMARC at the end of the data. A refusal
 * here is an SMTP reply, so the sending server keeps or bounces the message itself and Posthorn
 * never sends backscatter. (Checks that may run after acceptance belong in a
 * {@link org.posthorn.api.filter.MessageFilter}.)
 *
 * <p>The server asks every policy that {@link #appliesTo applies}, in order of
 * {@code service.ranking} (highest first; equal ranks by service id), and picks up policies that
 * come and go at runtime. The first refusal is the answer and later policies are not asked;
 * header fields of the policies that accepted are added in that order above the server's own
 * {@code Received:} field.
 *
 * <p>Policies are called on connection threads, many at once, and must be thread-safe. A call
 * delays the client's reply, so it should not block for long (DNS look-ups are fine). An
 * exception thrown by a policy is logged; the server then skips the policy (fail-open, the
 * default) or answers {@code 451 4.3.0} (fail-closed), as the admin configured.
 */
@ConsumerType
public interface SmtpPolicy {

    /**
     * Whether to ask this policy about a session. By default, only sessions that have not
     * authenticated: mail from other servers, not your users' submissions.
     */
    default boolean appliesTo(SessionFacts session) {
        return session.authenticatedUser() == null;
    }

    /**
     * Asked at each RCPT TO that the server itself would accept (a known local user, or a relay
     * the client may use). Accepting here with header fields adds them to the message if it is
     * accepted in the end (once, however many recipients gave them).
     *
     * @param session   the session and its MAIL FROM
     * @param recipient the address in RCPT TO
     * @param local     the recipient is in one of this server's domains (otherwise the client relays)
     */
    default PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local) throws Exception {
        return PolicyVerdict.ACCEPT;
    }

    /**
     * Asked when the whole message has arrived, before it is given to the queue and before the
     * client is answered: a refusal means nothing was accepted.
     *
     * @param session    the session and its MAIL FROM
     * @param recipients the accepted recipients, in RCPT order
     * @param message    the message as the client sent it, behind the server's {@code Received:}
     *                   field; readable as often as needed during this call only
     */
    default PolicyVerdict message(SessionFacts session, List<MailAddress> recipients, MessageSource message)
            throws Exception {
        return PolicyVerdict.ACCEPT;
    }
}
