package org.posthorn.net;

import java.io.IOException;

/**
 * A dot-stuffed body read with {@link BareLineEndings#REJECT} contained a bare CR or LF.
 * Thrown once the whole body has been consumed, so the connection is in step with the
 * client and the protocol can answer with its error reply.
 */
public final class BareLineEndingException extends IOException {

    private static final long serialVersionUID = 1L;

    private final boolean lineFeed;

    public BareLineEndingException(boolean lineFeed) {
        super(lineFeed ? "bare LF in data" : "bare CR in data");
        this.lineFeed = lineFeed;
    }

    /** {@code true} if the first offence was an LF without CR, {@code false} if a CR without LF. */
    public boolean isBareLineFeed() {
        return lineFeed;
    }
}
