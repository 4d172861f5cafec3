package org.posthorn.net.internal;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.DisableEncryptWriteRequest;

/**
 * A write that passes the SslFilter unencrypted: the STARTTLS reply, sent after the filter
 * is in place so that no byte the client sends after reading it can miss the filter
 * (MINA 2.2's replacement for {@code DISABLE_ENCRYPTION_ONCE}).
 */
final class PlaintextWriteRequest extends DefaultWriteRequest implements DisableEncryptWriteRequest {

    PlaintextWriteRequest(IoBuffer message, WriteFuture future) {
        super(message, future);
    }
}
