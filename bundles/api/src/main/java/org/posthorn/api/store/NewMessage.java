package org.posthorn.api.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

import org.posthorn.api.mail.MessageSource;

/**
 * One message for {@link MailboxStore#appendAll}, with what {@link MailboxStore#append} takes
 * beside it.
 *
 * @param message      the raw message; read during the call only
 * @param flags        initial flags, as for {@link MailboxStore#append}
 * @param internalDate the IMAP internal date; {@code null} means now
 */
public record NewMessage(MessageSource message, Set<String> flags, Instant internalDate) {

    public NewMessage {
        Objects.requireNonNull(message, "message");
        flags = Set.copyOf(flags);
    }
}
