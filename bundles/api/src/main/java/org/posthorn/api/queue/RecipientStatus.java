package org.posthorn.api.queue;

import java.time.Instant;

import org.posthorn.api.mail.MailAddress;

/**
 * Where delivery to one recipient of a queue entry stands.
 *
 * @param address     the recipient address (for an expanded local recipient's rows, the address
 *                    of the account or of the forward)
 * @param account     the local account this row delivers into, or {@code null} for a recipient
 *                    not (yet) resolved to an account
 * @param state       pending, deferred, delivered, failed, or expanded into the rows that follow
 * @param attempts    how many delivery attempts were made for this recipient
 * @param lastAttempt when the last attempt ended, or {@code null} if none was made
 * @param nextAttempt when the next attempt is due, or {@code null} once the recipient is final
 * @param statusCode  the RFC 3463 status of the last attempt (e.g. "4.2.2"), or {@code null}
 * @param lastError   the last error's text (a remote server's reply, a store's message), or {@code null}
 * @param remoteHost  the remote server that gave the last answer, or {@code null}
 */
public record RecipientStatus(MailAddress address, String account, RecipientState state, int attempts,
                              Instant lastAttempt, Instant nextAttempt, String statusCode, String lastError,
                              String remoteHost) {
}
