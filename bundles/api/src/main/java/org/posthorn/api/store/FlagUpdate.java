package org.posthorn.api.store;

import java.util.List;

/**
 * The outcome of a flag change.
 *
 * @param changed  the messages whose flags changed, with their new flags and MODSEQ
 * @param modified UIDs left alone because of UNCHANGEDSINCE (RFC 7162 MODIFIED response code)
 */
public record FlagUpdate(List<MessageMeta> changed, UidSet modified) {

    /** How the given flags are applied. */
    public enum Mode { REPLACE, ADD, REMOVE }

    public FlagUpdate {
        changed = List.copyOf(changed);
    }
}
