package org.posthorn.net.internal;

import java.util.Optional;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.posthorn.net.Rejection;
import org.posthorn.net.ServerSettings;
import org.posthorn.net.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns one listener's MINA events into calls on its connections. Runs on MINA's I/O threads. */
final class ListenerHandler extends IoHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerHandler.class);
    private static final AttributeKey CONNECTION = new AttributeKey(ListenerHandler.class, "connection");

    private final NetServer server;
    private final Listener listener;

    ListenerHandler(NetServer server, Listener listener) {
        this.server = server;
        this.listener = listener;
    }

    private static MinaConnection connection(IoSession session) {
        return (MinaConnection) session.getAttribute(CONNECTION);
    }

    @Override
    public void sessionCreated(IoSession session) {
        ServerSettings settings = server.settings();
        MinaConnection connection = new MinaConnection(server, listener, session, settings.maxLineLength(),
                settings.idleTimeout());
        session.setAttribute(CONNECTION, connection);
        server.register(connection);
        connection.logged(() -> {
            if (server.isClosing()) {
                connection.refuse();
                return;
            }
            if (listener.spec().tls() == TlsMode.IMPLICIT) {
                Optional<SslFilter> filter = server.tls().newFilter();
                if (filter.isEmpty()) {
                    LOG.warn("No TLS material available; closing the implicit-TLS connection");
                    listener.counters().error();
                    connection.refuse();
                    return;
                }
                connection.beginImplicitTls(filter.get());
            }
            Rejection rejection = server.admit(connection);
            connection.admitted(rejection);
            if (rejection == null) {
                listener.counters().accepted();
            } else {
                listener.counters().rejected();
            }
        });
    }

    @Override
    public void sessionOpened(IoSession session) {
        connection(session).start();
    }

    @Override
    public void messageReceived(IoSession session, Object message) {
        connection(session).received((IoBuffer) message);
    }

    @Override
    public void inputClosed(IoSession session) {
        connection(session).inputClosed();
    }

    @Override
    public void sessionClosed(IoSession session) {
        MinaConnection connection = connection(session);
        if (connection.isAdmitted()) {
            listener.counters().finished();
        }
        connection.transportClosed();
        server.unregister(connection);
    }

    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {
        MinaConnection connection = connection(session);
        if (connection == null) {
            LOG.warn("{}: error on a connection not yet set up", server.name(), cause);
            session.closeNow();
        } else {
            connection.failed(cause);
        }
    }

    @Override
    public void event(IoSession session, FilterEvent event) {
        if (event == SslEvent.SECURED) {
            connection(session).tlsEstablished();
        }
    }
}
