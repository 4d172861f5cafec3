package org.posthorn.imap.session;

import java.util.ArrayList;
import java.util.List;

import org.posthorn.api.store.UidSet;

/** Set operations on {@link UidSet}s, walking both range lists once (they are sorted and disjoint). */
final class UidRanges {

    private UidRanges() {
    }

    static UidSet intersect(UidSet a, UidSet b) {
        List<UidSet.Range> x = a.ranges();
        List<UidSet.Range> y = b.ranges();
        List<UidSet.Range> result = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < x.size() && j < y.size()) {
            long first = Math.max(x.get(i).first(), y.get(j).first());
            long last = Math.min(x.get(i).last(), y.get(j).last());
            if (first <= last) {
                result.add(new UidSet.Range(first, last));
            }
            if (x.get(i).last() < y.get(j).last()) {
                i++;
            } else {
                j++;
            }
        }
        return UidSet.of(result);
    }

    static UidSet minus(UidSet a, UidSet b) {
        List<UidSet.Range> y = b.ranges();
        List<UidSet.Range> result = new ArrayList<>();
        int j = 0;
        for (UidSet.Range x : a.ranges()) {
            long next = x.first();
            while (j < y.size() && y.get(j).last() < next) {
                j++;
            }
            int k = j;
            while (k < y.size() && y.get(k).first() <= x.last()) {
                if (y.get(k).first() > next) {
                    result.add(new UidSet.Range(next, y.get(k).first() - 1));
                }
                if (y.get(k).last() == Long.MAX_VALUE) {
                    next = Long.MAX_VALUE;
                    break;
                }
                next = Math.max(next, y.get(k).last() + 1);
                k++;
            }
            if (next <= x.last() && next != Long.MAX_VALUE) {
                result.add(new UidSet.Range(next, x.last()));
            }
        }
        return UidSet.of(result);
    }
}
