package org.posthorn.imap.session;

import java.time.Duration;

import org.posthorn.net.ServerSettings;

/**
 * What the IMAP server is configured with.
 *
 * @param server                 listeners, connection limits, idle timeout, longest line
 * @param plaintextLoginAllowed  LOGIN and AUTHENTICATE PLAIN without TLS (otherwise LOGINDISABLED, RFC 9051 §6.2.3)
 * @param maxCommandSize         the most bytes of one command's lines and string literals (not APPEND's message)
 * @param maxMessageSize         the largest message APPEND takes (also announced as APPENDLIMIT, RFC 7889)
 * @param maxBadCommands         consecutive BAD responses after which the connection is closed
 * @param loginTimeout           how long a client that has not logged in may be silent (the
 *                               server's idle timeout applies after login)
 * @param idleKeepAlive          how often a client in IDLE hears {@code * OK Still here}, so
 *                               NAT devices and firewalls keep the connection; zero: never
 */
public record ImapSettings(ServerSettings server, boolean plaintextLoginAllowed, long maxCommandSize,
                           long maxMessageSize, int maxBadCommands, Duration loginTimeout, Duration idleKeepAlive) {

    public ImapSettings {
        if (maxCommandSize < server.maxLineLength()) {
            throw new IllegalArgumentException("max command size " + maxCommandSize + " is below the line length "
                    + server.maxLineLength());
        }
        if (maxMessageSize <= 0 || maxBadCommands <= 0 || loginTimeout.isNegative() || loginTimeout.isZero()
                || idleKeepAlive.isNegative()) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
