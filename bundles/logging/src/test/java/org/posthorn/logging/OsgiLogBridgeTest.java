package org.posthorn.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class OsgiLogBridgeTest {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger osgiLogger = (Logger) LoggerFactory.getLogger("osgi");

    @BeforeEach
    void capture() {
        appender.start();
        osgiLogger.addAppender(appender);
        osgiLogger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        osgiLogger.detachAppender(appender);
    }

    @Test
    void componentErrorsReachSlf4jUnderTheBundleName() {
        IllegalStateException failure = new IllegalStateException("port in use");
        new OsgiLogBridge().logged(entry(LogLevel.ERROR, "org.posthorn.smtp", "activate failed", failure));

        assertThat(appender.list).hasSize(1);
        ILoggingEvent event = appender.list.get(0);
        assertThat(event.getLoggerName()).isEqualTo("osgi.org.posthorn.smtp");
        assertThat(event.getLevel()).isEqualTo(Level.ERROR);
        assertThat(event.getFormattedMessage()).isEqualTo("activate failed");
        assertThat(event.getThrowableProxy().getMessage()).isEqualTo("port in use");
    }

    @Test
    void levelsMapAndLevelsBelowTheConfiguredOneAreDropped() {
        OsgiLogBridge bridge = new OsgiLogBridge();
        bridge.logged(entry(LogLevel.WARN, "b", "careful", null));
        bridge.logged(entry(LogLevel.AUDIT, "b", "audited", null));
        bridge.logged(entry(LogLevel.DEBUG, "b", "chatter", null));
        bridge.logged(entry(LogLevel.INFO, null, "from the framework", null));

        assertThat(appender.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getLoggerName)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Level.WARN, "osgi.b"),
                        org.assertj.core.groups.Tuple.tuple(Level.ERROR, "osgi.b"),
                        org.assertj.core.groups.Tuple.tuple(Level.INFO, "osgi.framework"));
    }

    private static LogEntry entry(LogLevel level, String bundleName, String message, Throwable error) {
        Bundle bundle = bundleName == null ? null : (Bundle) Proxy.newProxyInstance(
                OsgiLogBridgeTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> "getSymbolicName".equals(method.getName()) ? bundleName : null);
        return (LogEntry) Proxy.newProxyInstance(OsgiLogBridgeTest.class.getClassLoader(), new Class<?>[] {LogEntry.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getLogLevel" -> level;
                    case "getBundle" -> bundle;
                    case "getMessage" -> message;
                    case "getException" -> error;
                    default -> null;
                });
    }
}
