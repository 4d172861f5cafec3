package org.posthorn.logging;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every OSGi log entry to SLF4J, under the logger {@code osgi.<bundle symbolic name>}.
 * Declarative Services reports component failures this way and the log service turns framework
 * events into entries; without this bridge they would stay in the log service's memory, where an
 * admin never sees them. Posthorn's own bundles log to SLF4J directly.
 */
@Component(immediate = true)
public final class OsgiLogBridge implements LogListener {

    /** Prefix of the SLF4J logger names; set its level in logback.xml. */
    public static final String LOGGER_PREFIX = "osgi.";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLogReader(LogReaderService reader) {
        reader.addLogListener(this);
    }

    void removeLogReader(LogReaderService reader) {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        Bundle bundle = entry.getBundle();
        String source = bundle == null || bundle.getSymbolicName() == null ? "framework" : bundle.getSymbolicName();
        Logger logger = LoggerFactory.getLogger(LOGGER_PREFIX + source);
        String message = entry.getServiceReference() == null
                ? entry.getMessage()
                : entry.getMessage() + " (service " + entry.getServiceReference() + ")";
        Throwable error = entry.getException();
        switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> logger.error(message, error);
            case WARN -> logger.warn(message, error);
            case INFO -> logger.info(message, error);
            case DEBUG -> logger.debug(message, error);
            case TRACE -> logger.trace(message, error);
        }
    }
}
