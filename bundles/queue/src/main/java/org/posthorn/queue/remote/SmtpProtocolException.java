package org.posthorn.queue.remote;

import java.io.IOException;

/** The server said something that is not SMTP: the connection cannot be trusted any further. */
final class SmtpProtocolException extends IOException {

    SmtpProtocolException(String message) {
        super(message);
    }
}
