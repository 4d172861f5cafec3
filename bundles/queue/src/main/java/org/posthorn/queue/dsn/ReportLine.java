package org.posthorn.queue.dsn;

import org.posthorn.queue.index.RecipientRecord;

/**
 * One recipient in a DSN, with the action reported for it (RFC 3464 §2.3.3).
 *
 * @param recipient the recipient row
 * @param action    what happened to it
 */
public record ReportLine(RecipientRecord recipient, Action action) {

    public enum Action {
        FAILED("failed"), DELAYED("delayed"), DELIVERED("delivered"), RELAYED("relayed");

        private final String field;

        Action(String field) {
            this.field = field;
        }

        /** The value of the Action field. */
        public String field() {
            return field;
        }
    }
}
