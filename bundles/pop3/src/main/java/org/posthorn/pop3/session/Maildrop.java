package org.posthorn.pop3.session;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.StoredContent;
import org.posthorn.api.store.UidSet;

/**
 * The INBOX as one POP3 session sees it: the messages that were there at login, numbered from
 * 1 in UID order (RFC 1939 §5: numbers do not change during the session), and the marks DELE
 * set. Messages delivered later are not seen until the next login. Not thread-safe (one
 * session).
 */
final class Maildrop {

    private final long uidValidity;
    private final long[] uids;
    private final long[] sizes;
    private final BitSet deleted = new BitSet();
    private final StoredContent[] contents;
    private final long totalSize;
    // of the messages not marked deleted, kept as DELE and RSET change the marks
    private int count;
    private long size;

    private Maildrop(long uidValidity, long[] uids, long[] sizes) {
        this.uidValidity = uidValidity;
        this.uids = uids;
        this.sizes = sizes;
        this.contents = new StoredContent[uids.length];
        this.totalSize = Arrays.stream(sizes).sum();
        this.count = uids.length;
        this.size = totalSize;
    }

    /** The maildrop of these messages, which must be in UID order. */
    static Maildrop of(long uidValidity, List<MessageMeta> messages) {
        long[] uids = new long[messages.size()];
        long[] sizes = new long[messages.size()];
        for (int i = 0; i < uids.length; i++) {
            uids[i] = messages.get(i).uid();
            sizes[i] = messages.get(i).size();
        }
        return new Maildrop(uidValidity, uids, sizes);
    }

    /** The highest message number, counting messages marked deleted. */
    int highestNumber() {
        return uids.length;
    }

    /** True if {@code number} names a message of this maildrop (deleted or not). */
    boolean exists(int number) {
        return number >= 1 && number <= uids.length;
    }

    boolean isDeleted(int number) {
        return deleted.get(number - 1);
    }

    /** Messages not marked deleted (STAT). */
    int count() {
        return count;
    }

    /** Total size in octets of the messages not marked deleted (STAT). */
    long size() {
        return size;
    }

    long uid(int number) {
        return uids[number - 1];
    }

    long size(int number) {
        return sizes[number - 1];
    }

    /**
     * The unique-id listing of a message (RFC 1939 §7 UIDL): UIDVALIDITY and UID, so it never
     * changes while the message exists and is never given to another message of this INBOX.
     */
    StringBuilder appendUniqueId(StringBuilder text, int number) {
        return text.append(uidValidity).append('.').append(uids[number - 1]);
    }

    /** The message's raw bytes as fetched earlier, or null. */
    StoredContent content(int number) {
        return contents[number - 1];
    }

    /** Remembers the raw bytes of the message with {@code uid}, if it belongs to this maildrop. */
    void content(long uid, StoredContent content) {
        int index = Arrays.binarySearch(uids, uid);
        if (index >= 0) {
            contents[index] = content;
        }
    }

    void delete(int number) {
        if (!deleted.get(number - 1)) {
            deleted.set(number - 1);
            count--;
            size -= sizes[number - 1];
        }
    }

    /** RSET: forgets every deletion mark. */
    void reset() {
        deleted.clear();
        count = uids.length;
        size = totalSize;
    }

    /** The UIDs of the messages marked deleted. */
    UidSet deletedUids() {
        long[] marked = deleted.stream().mapToLong(i -> uids[i]).toArray();
        return UidSet.ofSorted(marked, marked.length);
    }

    @Override
    public String toString() {
        return "Maildrop" + Arrays.toString(uids) + " deleted " + deleted;
    }
}
