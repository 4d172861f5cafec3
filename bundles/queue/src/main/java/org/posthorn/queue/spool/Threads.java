package org.posthorn.queue.spool;

/** Waiting for the queue's own threads when stopping. */
public final class Threads {

    private Threads() {
    }

    /**
     * Waits until {@code thread} has ended, even if interrupted meanwhile: stopping must not
     * leave it running with work handed over. The interrupt is kept for the caller.
     */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
