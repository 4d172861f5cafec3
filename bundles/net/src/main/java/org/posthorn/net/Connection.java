package org.posthorn.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One client connection as its {@link ProtocolSession} sees it.
 *
 * <h2>Threads</h2>
 * Each connection has its own thread of control: the {@link ProtocolSession} callbacks and
 * the tasks given to {@link #execute(Runnable)} run one at a time, in order, on a worker
 * thread, with the logging context ({@code session}, {@code remote}, {@code listener} in the
 * SLF4J MDC) set. Blocking there is fine: the reads below wait for the client, the writes
 * wait while the client is slow to read. No thread is held between callbacks.
 *
 * <p>The writing, reading and TLS methods must be called on that thread, and throw
 * {@link IllegalStateException} elsewhere; code on another thread (a mailbox change for IMAP
 * IDLE, say) hands its work over with {@link #execute(Runnable)}. The other methods may be
 * called from any thread.
 *
 * <h2>Output</h2>
 * Writes are buffered. The buffer is sent when the callback or task returns and whenever
 * the connection is about to wait for client input, so replies to pipelined commands go out
 * together (RFC 2920) and a prompt such as IMAP's {@code "+ Ready"} reaches the client before
 * a literal is read. {@link #flush()} sends earlier. Writes throw {@link IOException} once
 * the connection is closed or the client has stopped reading for longer than the idle timeout.
 *
 * <h2>Input</h2>
 * Between callbacks the connection reads lines and passes each to
 * {@link ProtocolSession#lineReceived(Line)}. Inside a callback the protocol may read on
 * from where that line ended, in the mode it needs: another line ({@link #readLine()}),
 * exactly <i>n</i> bytes ({@link #readCounted(long)}: IMAP literals, BDAT chunks) or a
 * dot-stuffed body ({@link #readDotStuffed(BareLineEndings)}: SMTP DATA). Bytes the client
 * pipelined after that point belong to whichever read comes next, so switching modes is exact.
 * A stream a callback opens must be used before the callback returns; whatever is left of it
 * is skipped then (or when the next read begins), so the connection stays in step with the
 * client. Input is never buffered without bound: the connection stops reading from the
 * socket while unread input piles up and resumes as it is consumed.
 */
@ProviderType
public interface Connection {

    /** A short identifier of this connection, unique in this JVM; also the MDC {@code session} value. */
    String id();

    /** The listener that accepted the connection. */
    ListenerSpec listener();

    /** The client's address and port. */
    InetSocketAddress remoteAddress();

    /** The local address and port the client connected to. */
    InetSocketAddress localAddress();

    /**
     * Free-form state to keep with the connection, for code that has the connection but not
     * the session object. Thread-safe; emptied when the connection closes.
     */
    Map<String, Object> attributes();

    // ---- output (the connection's thread only)

    /**
     * Writes one line of UTF-8 text and CR LF.
     *
     * @throws IllegalArgumentException if {@code line} contains CR or LF (one call, one line:
     *         a client-supplied value cannot split a reply in two)
     */
    void writeLine(String line) throws IOException;

    /** Writes bytes as they are. */
    void write(byte[] bytes) throws IOException;

    /** Writes {@code length} bytes of {@code bytes} from {@code offset} as they are. */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /**
     * Copies {@code in} to the client until its end, without holding it in memory: a chunk at a
     * time, waiting while the client is slow to read. Does not close {@code in}.
     *
     * @return the number of bytes copied
     */
    long write(InputStream in) throws IOException;

    /** Sends what has been written so far; waits only while the client is slow to read. */
    void flush() throws IOException;

    // ---- input inside a callback (the connection's thread only)

    /**
     * Waits for and returns the next line.
     *
     * @throws LineTooLongException the line was too long; it has been discarded
     * @throws java.io.EOFException the client closed the connection first
     * @throws java.io.InterruptedIOException the idle timeout expired or the server is shutting
     *         down; let it propagate, the matching callback follows
     */
    Line readLine() throws IOException;

    /**
     * The next {@code length} bytes as a stream that ends after them; afterwards reading
     * continues in lines. For IMAP literals and SMTP BDAT chunks; an IMAP server sends its
     * continuation request before calling this.
     *
     * <p>The stream blocks until input arrives; it throws {@link java.io.EOFException} if the
     * client closes early and {@link java.io.InterruptedIOException} as {@link #readLine()}.
     * Closing it skips what is left.
     */
    InputStream readCounted(long length);

    /**
     * The body that follows, dot-stuffed as in SMTP DATA (RFC 5321 §4.5.2), as a stream of
     * the message with the stuffing undone. It ends at CR LF "." CR LF (only there, see
     * {@link BareLineEndings}); the CR LF before the dot is the message's last line ending and
     * is part of the stream. Afterwards reading continues in lines. Closing it skips the rest
     * of the body.
     *
     * <p>Hand it to a consumer that reads a blocking stream (the mail queue); a body of any
     * size passes through a small bounded buffer, never whole.
     */
    InputStream readDotStuffed(BareLineEndings bareLineEndings);

    // ---- TLS

    /**
     * {@code true} if {@link #startTls(String)} would upgrade the connection now: the listener
     * is a {@link TlsMode#STARTTLS} one, TLS is not active yet, and TLS material is available.
     * Ask it before offering STARTTLS (SMTP EHLO, IMAP CAPABILITY, POP3 CAPA).
     */
    boolean tlsAvailable();

    /**
     * Upgrades the connection to TLS (RFC 3207, RFC 2595): sends {@code reply} (e.g.
     * {@code "220 2.0.0 Ready to start TLS"}) as the last plain-text line, with everything
     * written before it, and makes every byte the client sends after it go through the TLS
     * handshake. Input the client sent after its STARTTLS command and before the handshake is
     * discarded, never interpreted (CVE-2011-0411); the protocol must also forget what it
     * learned before (RFC 3207 §4.2). The handshake completes on later reads.
     *
     * <p>The connection's thread only.
     *
     * @return {@code false}, having sent nothing, if TLS material is not available right now:
     *         the protocol answers with its "TLS not available" reply (SMTP 454 4.7.0)
     * @throws IllegalStateException if TLS is already active or the listener is not a
     *         {@link TlsMode#STARTTLS} one
     */
    boolean startTls(String reply) throws IOException;

    /** {@code true} once TLS is established (implicit, or after a completed STARTTLS handshake). */
    boolean tlsActive();

    /** The TLS session (protocol, cipher suite, peer certificates) once TLS is established. */
    Optional<SSLSession> tlsSession();

    // ---- lifetime (any thread)

    /**
     * Runs {@code task} on the connection's thread, after the callbacks and tasks already
     * queued; output it writes is sent when it returns. Dropped if the connection has closed
     * by then. An exception from it closes the connection, as from a callback.
     */
    void execute(Runnable task);

    /**
     * The idle timeout for this connection from now on: how long the connection waits for
     * the client before {@link ProtocolSession#idleTimeout()}; for IMAP IDLE, say. Starts as
     * {@link ServerSettings#idleTimeout()}.
     */
    void setIdleTimeout(Duration timeout);

    /**
     * Closes the connection after sending what has been written. No more input is delivered;
     * further writes throw. {@link ProtocolSession#closed()} follows.
     */
    void close();
}
