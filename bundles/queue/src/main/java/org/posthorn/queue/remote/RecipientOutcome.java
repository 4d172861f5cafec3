package org.posthorn.queue.remote;

import org.posthorn.api.mail.Recipient;

/**
 * What became of one recipient in one delivery attempt.
 *
 * @param recipient    the recipient
 * @param status       delivered, try again later, or failed for good
 * @param replyCode    the SMTP reply code that decided it (0 if none, e.g. no MX found)
 * @param enhancedCode the RFC 3463 status code, e.g. "5.1.1" (always set; derived if the server gave none)
 * @param diagnostic   the server's reply text or our own explanation, for logs, bounces and DSNs
 * @param remoteHost   the host name and address that answered, or null if none was reached
 */
public record RecipientOutcome(Recipient recipient, Status status, int replyCode, String enhancedCode,
                               String diagnostic, String remoteHost) {

    public enum Status {
        /** The remote server accepted the message for this recipient (250 after DATA). */
        DELIVERED,
        /** A temporary failure (4xx, connection or DNS trouble): retry later. */
        DEFERRED,
        /** A permanent failure (5xx, null MX, no such domain): bounce. */
        FAILED
    }
}
