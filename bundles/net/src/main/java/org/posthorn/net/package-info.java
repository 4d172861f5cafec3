/**
 * The shared protocol-server layer: what an SMTP, IMAP or POP3 bundle needs to accept
 * connections, without touching the transport underneath.
 *
 * <p>A protocol implements {@link org.posthorn.net.ProtocolSession} (one object per
 * connection, created by a {@link org.posthorn.net.SessionFactory}) and starts a
 * {@link org.posthorn.net.ProtocolServer} with its {@link org.posthorn.net.ServerSettings}.
 * The session talks to its client through {@link org.posthorn.net.Connection}: lines in,
 * replies out, counted and dot-stuffed bodies as blocking streams, STARTTLS in one call.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.posthorn.net;
