package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.store.UidSet;

import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.search.FromStringTerm;
import jakarta.mail.search.SubjectTerm;

/** Jakarta Mail (Angus) as a real client: the flows a mail program goes through. */
class JakartaMailTest extends ImapServerTest {

    String user;
    IMAPStore store;

    @BeforeEach
    void connect() throws Exception {
        user = imap.newUser();
        imap.deliver(user, "INBOX", FetchTest.MESSAGE);
        imap.deliver(user, "INBOX", MailboxCommandsTest.message("second"));
        Properties properties = new Properties();
        properties.put("mail.imap.host", "127.0.0.1");
        properties.put("mail.imap.port", String.valueOf(imap.port()));
        properties.put("mail.imap.connectiontimeout", "30000");
        properties.put("mail.imap.timeout", "30000");
        store = (IMAPStore) Session.getInstance(properties).getStore("imap");
        store.connect(user, ImapFixture.PASSWORD);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    @Test
    void listsFoldersAndSeesTheServerCapabilities() throws Exception {
        assertThat(Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName))
                .containsExactly("Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash");
        assertThat(store.hasCapability("IDLE")).isTrue();
        assertThat(store.hasCapability("UIDPLUS")).isTrue();
        Folder sub = store.getFolder("Work/Reports");
        assertThat(sub.create(Folder.HOLDS_MESSAGES)).isTrue();
        assertThat(store.getFolder("Work").list()).extracting(Folder::getFullName).containsExactly("Work/Reports");
    }

    @Test
    void readsTheStructureAndAttachmentOfAMultipartMessage() throws Exception {
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        assertThat(inbox.getMessageCount()).isEqualTo(2);
        Message message = inbox.getMessage(1);
        assertThat(message.getSubject()).isEqualTo("Quarterly report");
        assertThat(((InternetAddress) message.getFrom()[0]).getAddress()).isEqualTo("alice@example.org");
        assertThat(message.getRecipients(Message.RecipientType.TO)).hasSize(2);
        MimeMultipart multipart = (MimeMultipart) message.getContent();
        assertThat(multipart.getCount()).isEqualTo(3);
        BodyPart text = multipart.getBodyPart(0);
        assertThat(text.isMimeType("text/plain")).isTrue();
        assertThat((String) text.getContent()).isEqualTo("Hello Bob,\r\r\nthe report is attached. Grüße");
        BodyPart pdf = multipart.getBodyPart(1);
        assertThat(pdf.getDisposition()).isEqualToIgnoringCase(Part.ATTACHMENT);
        assertThat(pdf.getFileName()).isEqualTo("report.pdf");
        assertThat(bytes(pdf.getInputStream())).isEqualTo(Base64.getDecoder().decode(FetchTest.PDF_BODY));
        BodyPart embedded = multipart.getBodyPart(2);
        assertThat(embedded.isMimeType("message/rfc822")).isTrue();
        assertThat(((MimeMessage) embedded.getContent()).getSubject()).isEqualTo("inner");
        assertThat(message.isSet(Flags.Flag.SEEN)).isFalse();
        inbox.close(false);
    }

    private static byte[] bytes(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void searchesSetsFlagsCopiesMovesAndAppends() throws Exception {
        IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        assertThat(inbox.search(new SubjectTerm("quarterly"))).extracting(Message::getMessageNumber).containsExactly(1);
        assertThat(inbox.search(new FromStringTerm("bob@example.com"))).extracting(Message::getMessageNumber)
                .containsExactly(2);

        inbox.getMessage(2).setFlag(Flags.Flag.FLAGGED, true);
        assertThat(imap.store.messages(user, "INBOX", UidSet.ofUids(2)).get(0).flags()).contains("\\Flagged");

        Folder archive = store.getFolder("Archive");
        inbox.copyMessages(new Message[] {inbox.getMessage(1)}, archive);
        assertThat(archive.getMessageCount()).isEqualTo(1);
        Message moved = inbox.getMessage(2);
        inbox.moveMessages(new Message[] {moved}, store.getFolder("Trash"));
        assertThat(moved.isExpunged()).isTrue();
        assertThat(imap.store.status(user, "INBOX").messages()).isEqualTo(1);
        assertThat(store.getFolder("Trash").getMessageCount()).isEqualTo(1);

        MimeMessage draft = new MimeMessage(Session.getInstance(new Properties()));
        draft.setFrom(new InternetAddress(user));
        draft.setSubject("Draft from Jakarta Mail");
        draft.setText("unfinished");
        IMAPFolder drafts = (IMAPFolder) store.getFolder("Drafts");
        jakarta.mail.internet.MimeMessage[] appended = {draft};
        var uids = drafts.appendUIDMessages(appended);
        assertThat(uids[0].uid).isEqualTo(1);
        assertThat(imap.store.status(user, "Drafts").messages()).isEqualTo(1);
        inbox.close(true);
    }

    @Test
    void idleHearsADeliveryMadeThroughTheStore() throws Exception {
        IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        CountDownLatch added = new CountDownLatch(1);
        inbox.addMessageCountListener(new MessageCountAdapter() {
            @Override
            public void messagesAdded(MessageCountEvent event) {
                added.countDown();
            }
        });
        Thread idler = new Thread(() -> {
            try {
                inbox.idle(true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        idler.start();
        // before or after the IDLE command arrives: a change not yet reported goes out while idling
        imap.deliver(user, "INBOX", MailboxCommandsTest.message("while idling"));
        assertThat(added.await(30, TimeUnit.SECONDS)).isTrue();
        idler.join(30_000);
        assertThat(inbox.getMessageCount()).isEqualTo(3);
        inbox.close(false);
    }
}
