package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.protocol.SequenceSet;

/** Message sequence numbers and UIDs of a selected mailbox, and the UID set algebra behind them. */
class MessageIndexTest {

    private static UidSet set(String text) {
        return UidSet.of(java.util.Arrays.stream(text.split(",")).map(r -> {
            String[] ends = r.split(":");
            return new UidSet.Range(Long.parseLong(ends[0]), ends.length == 1 ? Long.parseLong(ends[0])
                    : ends[1].equals("*") ? Long.MAX_VALUE : Long.parseLong(ends[1]));
        }).toList());
    }

    private static SequenceSet seq(long first, long last) {
        return new SequenceSet(List.of(new SequenceSet.Range(first, last)));
    }

    @Test
    void sequenceNumbersMapToUids() throws Exception {
        MessageIndex index = new MessageIndex(set("3,5:7,10"));
        assertThat(index.count()).isEqualTo(5);
        assertThat(index.uid(2)).isEqualTo(5);
        assertThat(index.msn(10)).isEqualTo(5);
        assertThat(index.msn(4)).isZero();
        assertThat(index.fromMsns(seq(4, SequenceSet.STAR), true)).isEqualTo(set("7,10"));
        assertThat(index.fromMsns(seq(2, 1), true)).isEqualTo(set("3,5"));
        assertThatThrownBy(() -> index.fromMsns(seq(6, 6), true)).hasMessageContaining("Invalid message sequence number 6");
        assertThat(index.fromMsns(seq(4, 9), false)).isEqualTo(set("7,10"));
    }

    @Test
    void uidSetsAreLimitedToKnownUidsAndStarIsTheLargest() {
        MessageIndex index = new MessageIndex(set("3,5:7,10"));
        assertThat(index.fromUids(seq(4, 8))).isEqualTo(set("5:7"));
        // RFC 9051 §6.4.9: 20:* names the largest UID even though it is below 20
        assertThat(index.fromUids(seq(20, SequenceSet.STAR))).isEqualTo(set("10"));
        assertThat(new MessageIndex(UidSet.EMPTY).fromUids(seq(1, SequenceSet.STAR))).isEqualTo(UidSet.EMPTY);
        assertThat(index.within(set("1:4,9:*"))).isEqualTo(set("3,10"));
    }

    @Test
    void removalReportsTheOldSequenceNumbers() {
        MessageIndex index = new MessageIndex(set("3,5:7,10"));
        assertThat(index.removeAll(set("5,7,11"))).containsExactly(2, 4);
        assertThat(index.all()).isEqualTo(set("3,6,10"));
        index.add(12);
        index.add(11);
        assertThat(index.all()).isEqualTo(set("3,6,10,12"));
    }

    @Test
    void intersectionAndDifference() {
        assertThat(UidRanges.intersect(set("1:10,20:30"), set("5:25"))).isEqualTo(set("5:10,20:25"));
        assertThat(UidRanges.minus(set("1:10,20:30"), set("2,5:21,29:*"))).isEqualTo(set("1,3:4,22:28"));
        assertThat(UidRanges.minus(set("1:*"), set("3:5"))).isEqualTo(set("1:2,6:*"));
        assertThat(UidRanges.minus(set("4"), UidSet.EMPTY)).isEqualTo(set("4"));
    }
}
