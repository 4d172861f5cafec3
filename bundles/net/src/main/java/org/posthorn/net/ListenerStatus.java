package org.posthorn.net;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A listener's state and counters at one moment, for an admin to read. Counters belong to
 * the listener's name and survive rebinding; bytes are application bytes (after TLS).
 *
 * @param spec               the listener as configured
 * @param boundAddress       the address it listens on (with the real port when the spec said
 *                           0), or empty if it is not listening
 * @param bindFailure        why it is not listening (port in use, no permission), or empty
 * @param currentConnections connections open now
 * @param accepted           connections accepted since the server started
 * @param rejected           connections refused for a connection limit
 * @param bytesIn            bytes received from clients
 * @param bytesOut           bytes sent to clients
 * @param errors             protocol errors, failed TLS handshakes and connections refused for lack
 *                           of TLS material
 */
public record ListenerStatus(ListenerSpec spec, Optional<InetSocketAddress> boundAddress,
                             Optional<String> bindFailure, int currentConnections, long accepted,
                             long rejected, long bytesIn, long bytesOut, long errors) {

    /** {@code true} if the listener is accepting connections. */
    public boolean bound() {
        return boundAddress.isPresent();
    }
}
