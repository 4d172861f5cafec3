package org.posthorn.net.internal;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.posthorn.net.ListenerSpec;
import org.posthorn.net.ListenerStatus;

/** One listener name's counters; they outlive rebinding. Thread-safe. */
final class Counters {

    private final AtomicInteger current = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder errors = new LongAdder();

    void accepted() {
        accepted.increment();
        current.incrementAndGet();
    }

    void finished() {
        current.decrementAndGet();
    }

    void rejected() {
        rejected.increment();
    }

    void bytesIn(long count) {
        bytesIn.add(count);
    }

    void bytesOut(long count) {
        bytesOut.add(count);
    }

    void error() {
        errors.increment();
    }

    ListenerStatus status(ListenerSpec spec, InetSocketAddress bound, String failure) {
        return new ListenerStatus(spec, Optional.ofNullable(bound), Optional.ofNullable(failure), current.get(),
                accepted.sum(), rejected.sum(), bytesIn.sum(), bytesOut.sum(), errors.sum());
    }
}
