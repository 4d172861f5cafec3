package org.posthorn.queue.remote;

/**
 * One attempt at one host ended without a transaction.
 *
 * @see #tryNextHost()
 */
final class AttemptFailed extends Exception {

    private final transient Verdict verdict;
    private final boolean tryNextHost;

    AttemptFailed(Verdict verdict, boolean tryNextHost) {
        super(verdict.diagnostic(), null, false, false);
        this.verdict = verdict;
        this.tryNextHost = tryNextHost;
    }

    Verdict verdict() {
        return verdict;
    }

    /**
     * True if another host (or address) may do better: connection trouble, a refusing
     * greeting. False when this host gave a definitive answer or the problem is ours.
     */
    boolean tryNextHost() {
        return tryNextHost;
    }
}
