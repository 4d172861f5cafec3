package org.posthorn.queue.index;

/**
 * What one attempt for one recipient said, as kept for the admin and for DSNs.
 *
 * @param replyCode  the SMTP reply code (0 if none, e.g. a local store error)
 * @param statusCode the RFC 3463 status code, e.g. "5.1.1"
 * @param text       the diagnostic text
 * @param remoteHost the remote server that answered, or null
 */
public record DeliveryResult(int replyCode, String statusCode, String text, String remoteHost) {

    public static DeliveryResult local(String statusCode, String text) {
        return new DeliveryResult(0, statusCode, text, null);
    }

    /** The reply as written in a DSN's Diagnostic-Code field (RFC 3464 §2.3.6). */
    public String diagnosticCode() {
        if (replyCode > 0) {
            return "smtp; " + replyCode + " " + statusCode + " " + text;
        }
        return "x-posthorn; " + text;
    }
}
