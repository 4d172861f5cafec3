package org.posthorn.queue.delivery;

import org.posthorn.queue.index.DeliveryResult;
import org.posthorn.queue.index.ErrorKind;

/**
 * What became of one recipient in one attempt, local or remote.
 *
 * @param status delivered, deferred or failed
 * @param kind   for DEFERRED: why, which decides the retry; null otherwise
 * @param result the status code and text
 */
public record Outcome(Status status, ErrorKind kind, DeliveryResult result) {

    public enum Status { DELIVERED, DEFERRED, FAILED }

    public static Outcome delivered(DeliveryResult result) {
        return new Outcome(Status.DELIVERED, null, result);
    }

    public static Outcome deferred(ErrorKind kind, DeliveryResult result) {
        return new Outcome(Status.DEFERRED, kind, result);
    }

    public static Outcome failed(DeliveryResult result) {
        return new Outcome(Status.FAILED, null, result);
    }
}
