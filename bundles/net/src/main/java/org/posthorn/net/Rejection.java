package org.posthorn.net;

/** Why a connection was refused before its protocol began; see {@link ProtocolSession#tooManyConnections}. */
public enum Rejection {
    /** The server already holds {@link ServerSettings#maxConnections()} connections. */
    TOO_MANY_CONNECTIONS,
    /** The client's IP address already holds {@link ServerSettings#maxConnectionsPerAddress()} connections. */
    TOO_MANY_FROM_ADDRESS
}
