package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.net.ListenerStatus;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** A port that cannot be bound: the other listeners serve, and the admin reads what it means and how to retry. */
class BindFailureTest {

    @TempDir
    Path folder;

    @Test
    void listenerThatCannotBindIsReportedClearlyAndTheOthersServe() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(SmtpServer.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             TestServer server = TestServer.start(folder, Map.of("mx_port", taken.getLocalPort()))) {
            assertThat(server.smtp.listeners()).filteredOn(ListenerStatus::bound).extracting(s -> s.spec().name())
                    .containsExactly("submission", "submissions");
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().asString()
                    .startsWith("SMTP mx listener is NOT running on port " + taken.getLocalPort() + ": ")
                    .contains("Other servers cannot deliver mail here until it is.")
                    .endsWith("Fix the cause, then save conf/org.posthorn.smtp.cfg to retry.");
            try (SmtpClient client = SmtpClient.connect(server.submission())) {
                assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
            }
        } finally {
            logger.detachAppender(log);
        }
    }
}
