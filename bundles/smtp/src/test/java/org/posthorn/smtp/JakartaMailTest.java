package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.Envelope;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.SharedFileInputStream;

/** A real client library (Jakarta Mail on Angus) for the flows users have every day. */
class JakartaMailTest {

    private static final int ATTACHMENT_SIZE = 25 * 1024 * 1024;

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

    private static Session session(String protocol, InetSocketAddress address, boolean auth) {
        Properties properties = new Properties();
        String prefix = "mail." + protocol + ".";
        properties.put(prefix + "host", address.getHostString());
        properties.put(prefix + "port", Integer.toString(address.getPort()));
        properties.put(prefix + "localhost", "client.example");
        properties.put(prefix + "auth", Boolean.toString(auth));
        // the test certificate is self-signed for "localhost"; these tests check SMTP, not the PKI
        properties.put(prefix + "ssl.trust", "*");
        properties.put(prefix + "ssl.checkserveridentity", "false");
        properties.put("mail.transport.protocol", protocol);
        properties.put(prefix + "allow8bitmime", "true");
        properties.put(prefix + "timeout", "60000");
        if (protocol.equals("smtp") && auth) {
            properties.put(prefix + "starttls.enable", "true");
            properties.put(prefix + "starttls.required", "true");
        }
        return Session.getInstance(properties);
    }

    private static MimeMessage message(Session session, String from, String subject, String text) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setSubject(subject, "UTF-8");
        message.setText(text, "UTF-8");
        return message;
    }

    private void send(Session session, MimeMessage message, boolean auth) throws MessagingException {
        message.saveChanges();
        try (Transport transport = session.getTransport()) {
            if (auth) {
                transport.connect(TestUsers.ALICE, TestUsers.ALICE_PASSWORD);
            } else {
                transport.connect();
            }
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    @Test
    void plainDeliveryToALocalUserOverPort25() throws Exception {
        Session session = session("smtp", server.mx(), false);
        MimeMessage message = message(session, "friend@elsewhere.example", "Hello", "Hi Alice");
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(TestUsers.ALICE));
        send(session, message, false);

        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.envelope().origin().protocol()).isEqualTo("ESMTP");
        assertThat(queued.text()).contains("\r\nSubject: Hello\r\n").contains("Hi Alice");
    }

    @Test
    void relayingWithoutAuthIsRefusedToTheClient() throws Exception {
        Session session = session("smtp", server.mx(), false);
        MimeMessage message = message(session, "friend@elsewhere.example", "Relay?", "no");
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@elsewhere.example"));
        assertThatThrownBy(() -> send(session, message, false)).isInstanceOf(MessagingException.class);
        assertThat(server.queue.messages).isEmpty();
    }

    @Test
    void submissionWithStartTlsAndAuthEightBitAndFiftyRecipientsStoredOnce() throws Exception {
        server.reconfigure(Map.of("max_recipients", 100));
        Session session = session("smtp", server.submission(), true);
        // Angus converts the text to 8bit when the server has 8BITMIME but leaves declaring it to us
        session.getProperties().put("mail.smtp.mailextension", "BODY=8BITMIME");
        MimeMessage message = message(session, TestUsers.ALICE, "Grüße", "Schöne Grüße aus Köln");
        // sent quoted-printable unless the server has 8BITMIME: then the client converts it to 8bit
        InternetAddress[] recipients = new InternetAddress[50];
        for (int i = 0; i < recipients.length; i++) {
            recipients[i] = new InternetAddress("friend" + i + "@elsewhere.example");
        }
        message.setRecipients(Message.RecipientType.TO, new InternetAddress[] {recipients[0]});
        message.setRecipients(Message.RecipientType.CC, java.util.Arrays.copyOfRange(recipients, 1, 10));
        message.setRecipients(Message.RecipientType.BCC, java.util.Arrays.copyOfRange(recipients, 10, 50));
        send(session, message, true);

        TestQueue.Queued queued = server.queue.only();
        Envelope envelope = queued.envelope();
        assertThat(envelope.recipients()).hasSize(50);
        assertThat(envelope.bodyType()).isEqualTo(BodyType.EIGHT_BIT_MIME);
        assertThat(envelope.origin().protocol()).isEqualTo("ESMTPSA");
        assertThat(envelope.origin().listener()).isEqualTo("submission");
        assertThat(queued.text()).contains("Schöne Grüße aus Köln").doesNotContain("Bcc:")
                .doesNotContain("friend10@");
    }

    @Test
    void implicitTlsSubmissionWithAUtf8Recipient() throws Exception {
        Session session = session("smtps", server.submissions(), true);
        session.getProperties().put("mail.mime.allowutf8", "true");
        MimeMessage message = message(session, TestUsers.ALICE, "UTF-8", "to Jörg");
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("jörg@example.org"));
        send(session, message, true);

        Envelope envelope = server.queue.only().envelope();
        assertThat(envelope.smtpUtf8()).isTrue();
        assertThat(envelope.recipients().get(0).address().localPart()).isEqualTo("jörg");
        assertThat(envelope.origin().protocol()).isEqualTo("UTF8SMTPSA");
        assertThat(envelope.origin().listener()).isEqualTo("submissions");
    }

    @Test
    void twentyFiveMegabyteAttachmentArrivesIntactInChunks() throws Exception {
        Session session = session("smtp", server.submission(), true);
        // BDAT (CHUNKING) in 4 MiB chunks
        session.getProperties().put("mail.smtp.chunksize", Integer.toString(4 * 1024 * 1024));
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(TestUsers.ALICE));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(TestUsers.BOB));
        message.setSubject("big");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attachment");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new PatternSource(ATTACHMENT_SIZE)));
        attachment.setFileName("big.bin");
        Multipart parts = new MimeMultipart(text, attachment);
        message.setContent(parts);
        send(session, message, true);

        TestQueue.Queued queued = server.queue.only();
        assertThat(queued.size()).isGreaterThan(ATTACHMENT_SIZE * 4L / 3);
        MimeMessage stored;
        try (SharedFileInputStream in = new SharedFileInputStream(queued.file().toFile())) {
            stored = new MimeMessage(session, in);
            MimeBodyPart received = (MimeBodyPart) ((Multipart) stored.getContent()).getBodyPart(1);
            assertThat(received.getFileName()).isEqualTo("big.bin");
            assertThat(digest(received.getInputStream())).isEqualTo(digest(new PatternSource(ATTACHMENT_SIZE).getInputStream()));
        }
        assertThat(Files.size(queued.file())).isEqualTo(queued.size());
    }

    private static byte[] digest(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream digesting = new DigestInputStream(in, sha)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return sha.digest();
    }

    /** Reproducible bytes made as they are read: the attachment is never in memory whole. */
    private record PatternSource(long size) implements DataSource {
        @Override
        public InputStream getInputStream() {
            return new InputStream() {
                private long position;

                @Override
                public int read() {
                    return position < size ? (int) ((position++ * 31 + 7) & 0xff) : -1;
                }

                @Override
                public int read(byte[] bytes, int offset, int length) {
                    if (position >= size) {
                        return -1;
                    }
                    int n = (int) Math.min(length, size - position);
                    for (int i = 0; i < n; i++) {
                        bytes[offset + i] = (byte) ((position++ * 31 + 7) & 0xff);
                    }
                    return n;
                }
            };
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            throw new IOException("read only");
        }

        @Override
        public String getContentType() {
            return "application/octet-stream";
        }

        @Override
        public String getName() {
            return "big.bin";
        }
    }
}
