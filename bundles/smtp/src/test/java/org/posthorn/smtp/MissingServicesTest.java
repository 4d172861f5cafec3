package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.net.ListenerStatus;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The queue, the user directory or the TLS material goes away: temporary errors, never a lost message. */
class MissingServicesTest {

    @TempDir
    Path folder;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(folder);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void withoutTheQueueMailGets451AndTheServerKeepsRunning() throws Exception {
        server.smtp.unbindMailQueue(server.queue);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            assertThat(client.command("MAIL FROM:<sender@example.com>"))
                    .isEqualTo("451 4.3.0 Mail queue not available; try again later");
            server.smtp.bindMailQueue(server.queue);
            assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<alice@example.org>")).isEqualTo("250 2.1.5 Ok");
            server.smtp.unbindMailQueue(server.queue);
            assertThat(client.command("DATA")).isEqualTo("451 4.3.0 Mail queue not available; try again later");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(server.queue.messages).isEmpty();
    }

    @Test
    void withoutTheDirectoryRecipientsAndAuthGetTemporaryErrors() throws Exception {
        server.smtp.unbindUserDirectory(server.users);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<alice@example.org>"))
                    .isEqualTo("451 4.3.0 Cannot verify recipients now; try again later");
        }
        try (SmtpClient client = SmtpClient.connectTls(server.submissions())) {
            client.ehlo("client.example");
            String credentials = Base64.getEncoder().encodeToString("\0alice\0x".getBytes(StandardCharsets.UTF_8));
            assertThat(client.command("AUTH PLAIN " + credentials))
                    .isEqualTo("454 4.7.0 Temporary authentication failure: user directory not available");
        }
        server.smtp.bindUserDirectory(server.users);
        server.users.unavailable.set(true);
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            assertThat(client.command("MAIL FROM:<sender@example.com>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.command("RCPT TO:<alice@example.org>"))
                    .isEqualTo("451 4.3.0 Cannot verify recipients now; try again later");
        }
    }

    @Test
    void withoutTlsMaterialStartTlsIsNotOfferedAndPort465RefusedButPlainTextWorks() throws Exception {
        server.smtp.unbindTlsMaterial(TestServer.tlsMaterial());
        try (SmtpClient client = SmtpClient.connect(server.submission())) {
            assertThat(client.ehlo("client.example")).doesNotContain("STARTTLS");
            assertThat(client.command("STARTTLS")).isEqualTo("454 4.7.0 TLS not available due to temporary reason");
            assertThat(client.command("NOOP")).isEqualTo("250 2.0.0 Ok");
        }
        assertThatThrownBy(() -> SmtpClient.connectTls(server.submissions())).isInstanceOf(IOException.class);
        assertThat(server.smtp.listeners()).allMatch(ListenerStatus::bound);

        server.smtp.bindTlsMaterial(TestServer.tlsMaterial());
        try (SmtpClient client = SmtpClient.connectTls(server.submissions())) {
            assertThat(client.ehlo("client.example")).contains("AUTH PLAIN LOGIN");
        }
    }

    @Test
    void servicesGoingAwayAreWarnedAboutOnlyWhileTheServerRuns() {
        Logger logger = (Logger) LoggerFactory.getLogger(SmtpServer.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            server.smtp.unbindUserDirectory(server.users);
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("SMTP: user directory gone; recipients and AUTH answer with temporary errors until it returns");

            // stopping or updating the bundle: DS deactivates the component, then unbinds its references
            server.close();
            server.smtp.unbindMailQueue(server.queue);
            server.smtp.unbindTlsMaterial(TestServer.tlsMaterial());
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1);
        } finally {
            logger.detachAppender(log);
        }
    }
}
