package org.posthorn.api.store;

import java.util.List;

/**
 * UIDs of copied or moved messages (RFC 4315 COPYUID): {@code sourceUids.get(i)} became
 * {@code targetUids.get(i)} in the target mailbox.
 */
public record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {

    public CopyResult {
        sourceUids = List.copyOf(sourceUids);
        targetUids = List.copyOf(targetUids);
        if (sourceUids.size() != targetUids.size()) {
            throw new IllegalArgumentException("source and target UID lists differ in length");
        }
    }
}
