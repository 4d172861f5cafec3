package org.posthorn.security;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Collects what the code under test logs below {@code org.posthorn}, for assertions. */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        posthornLogger().addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        posthornLogger().detachAppender(appender);
        appender.stop();
    }

    private static Logger posthornLogger() {
        return (Logger) LoggerFactory.getLogger("org.posthorn");
    }

    /** Formatted messages (with exception messages appended) logged at {@code level} or above. */
    public List<String> messages(Level level) {
        synchronized (appender) {
            return appender.list.stream()
                    .filter(event -> event.getLevel().isGreaterOrEqual(level))
                    .map(LogCapture::text)
                    .collect(Collectors.toList());
        }
    }

    /** Everything logged, every level, as one string. */
    public String all() {
        return String.join("\n", messages(Level.TRACE));
    }

    private static String text(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(event.getFormattedMessage());
        for (var cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
            text.append(" | ").append(cause.getMessage());
        }
        return text.toString();
    }
}
