package org.posthorn.net.internal;

import java.util.HashMap;
import java.util.Map;

import org.slf4j.MDC;

/**
 * The SLF4J MDC entries that tie log lines to a connection: {@code session}, {@code remote}
 * and {@code listener}. Set around logging on a transport thread; the worker thread keeps a
 * whole context map per connection instead.
 */
final class LogContext {

    static final String SESSION = "session";
    static final String REMOTE = "remote";
    static final String LISTENER = "listener";

    private LogContext() {
    }

    /** Runs {@code action} with {@code entries} in the MDC, then puts back what was there. */
    static void run(Map<String, String> entries, Runnable action) {
        Map<String, String> previous = new HashMap<>();
        entries.forEach((key, value) -> {
            previous.put(key, MDC.get(key));
            MDC.put(key, value);
        });
        try {
            action.run();
        } finally {
            previous.forEach((key, value) -> {
                if (value == null) {
                    MDC.remove(key);
                } else {
                    MDC.put(key, value);
                }
            });
        }
    }
}
