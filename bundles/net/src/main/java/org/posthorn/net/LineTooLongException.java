package org.posthorn.net;

import java.io.IOException;

/**
 * {@link Connection#readLine()} met a line longer than {@link ServerSettings#maxLineLength()}.
 * The line has been discarded up to and including its line feed (never buffered whole), so
 * the connection is usable and the next read starts with the next line.
 */
public final class LineTooLongException extends IOException {

    private static final long serialVersionUID = 1L;

    public LineTooLongException(int maxLineLength) {
        super("line longer than " + maxLineLength + " bytes");
    }
}
