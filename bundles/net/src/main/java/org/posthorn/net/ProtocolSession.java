package org.posthorn.net;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol's side of one connection: its state machine, driven by these callbacks. Created
 * by the protocol's {@link SessionFactory}, which hands it the {@link Connection} to talk through.
 *
 * <p>Callbacks run one at a time on the connection's thread (see {@link Connection}), so the
 * session needs no locking of its own. They may block. Output written in a callback is sent
 * when it returns. An {@link IOException} from a callback closes the connection quietly (the
 * client went away); any other exception is logged as an error and closes it too.
 *
 * <p>Exactly one of {@link #connected()} and {@link #tooManyConnections(Rejection)} comes first;
 * {@link #closed()} comes last, once, whatever happened in between.
 */
@ConsumerType
public interface ProtocolSession {

    /** The client connected: send the greeting (SMTP 220, IMAP {@code * OK}, POP3 {@code +OK}). */
    void connected() throws IOException;

    /**
     * The client sent a line (without its line ending): handle the command. To read a literal,
     * a chunk or a message body that follows it, use the {@link Connection} read methods here.
     */
    void lineReceived(Line line) throws IOException;

    /**
     * The client sent a line longer than {@link ServerSettings#maxLineLength()}. It has been
     * discarded up to its end; answer with the protocol's error (SMTP
     * {@code "500 5.5.2 Line too long"}, IMAP {@code "* BAD"}, POP3 {@code "-ERR"}). The
     * connection stays open unless the session closes it.
     */
    void lineTooLong() throws IOException;

    /**
     * The connection is over a limit and will be closed when this returns: say so (SMTP
     * {@code "421 4.7.0"}, IMAP {@code "* BYE"}, POP3 {@code "-ERR [SYS/TEMP]"}). Instead of
     * {@link #connected()}; no input is delivered.
     */
    void tooManyConnections(Rejection reason) throws IOException;

    /**
     * The client sent nothing for the idle timeout while the connection waited for it; the
     * connection is closed when this returns. Say goodbye (SMTP {@code "421 4.4.2"}, IMAP
     * {@code "* BYE"}). A read that was waiting has already thrown
     * {@link java.io.InterruptedIOException}.
     */
    void idleTimeout() throws IOException;

    /**
     * The server is stopping; the connection is closed when this returns, or when the
     * server's {@link ServerSettings#shutdownGrace() grace period} ends. Say goodbye (SMTP
     * {@code "421 4.3.2"}, IMAP {@code "* BYE"}). A read that was waiting has already thrown
     * {@link java.io.InterruptedIOException}.
     */
    void shuttingDown() throws IOException;

    /** The connection is closed; release what the session holds. Nothing can be written. */
    default void closed() {
    }
}
