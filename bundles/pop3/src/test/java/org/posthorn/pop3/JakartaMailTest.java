package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.Properties;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;

import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.UidSet;

/** Jakarta Mail's POP3 provider (Angus Mail) as a real client: STLS and implicit TLS, read, leave, delete. */
@ExtendWith(TestMailSystem.Resolver.class)
class JakartaMailTest {

    private final TestMailSystem system;
    private Pop3TestServer server;
    private String account;
    private AppendResult first;

    JakartaMailTest(TestMailSystem system) {
        this.system = system;
    }

    @BeforeEach
    void start() throws Exception {
        server = Pop3TestServer.start(system);
        account = system.newUser();
        first = system.deliver(account, TestMailSystem.message("Jakarta one", "First body.\r\n.starts with a dot\r\n"));
        system.deliver(account, TestMailSystem.message("Jakarta two", "Second body.\r\n"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A store of the given protocol ("pop3" with STLS required, or "pop3s"), trusting the test certificate. */
    private Store connect(String protocol, InetSocketAddress address, String password) throws Exception {
        Properties properties = new Properties();
        boolean implicit = protocol.equals("pop3s");
        properties.put("mail." + protocol + ".ssl.socketFactory", system.clientTls().getSocketFactory());
        properties.put("mail." + protocol + ".ssl.enable", Boolean.toString(implicit));
        properties.put("mail." + protocol + ".starttls.enable", Boolean.toString(!implicit));
        properties.put("mail." + protocol + ".starttls.required", Boolean.toString(!implicit));
        properties.put("mail." + protocol + ".connectiontimeout", "30000");
        properties.put("mail." + protocol + ".timeout", "30000");
        Store store = Session.getInstance(properties).getStore(protocol);
        // the certificate is made for "localhost"; Angus checks the server's identity
        store.connect("localhost", address.getPort(), account, password);
        return store;
    }

    @Test
    void readsAndDeletesOverStls() throws Exception {
        Store store = connect("pop3", server.pop3(), TestMailSystem.PASSWORD);
        try {
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isEqualTo(2);
            Message message = inbox.getMessage(1);
            assertThat(message.getSubject()).isEqualTo("Jakarta one");
            assertThat(message.getContent()).isEqualTo("First body.\r\n.starts with a dot\r\n");
            assertThat(inbox.getUID(message)).isEqualTo(first.uidValidity() + "." + first.uid());
            assertThat(inbox.getMessage(2).getSubject()).isEqualTo("Jakarta two");

            message.setFlag(Flags.Flag.DELETED, true);
            inbox.close(true);
        } finally {
            store.close();
        }
        assertThat(system.store.messages(account, "INBOX", UidSet.ALL)).hasSize(1);
    }

    @Test
    void leavesMailOnTheServerOverImplicitTlsWithTheSameUidsNextTime() throws Exception {
        String uid;
        Store store = connect("pop3s", server.pop3s(), TestMailSystem.PASSWORD);
        try {
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            uid = inbox.getUID(inbox.getMessage(2));
            assertThat(inbox.getMessage(2).getContent()).isEqualTo("Second body.\r\n");
            inbox.close(false);
        } finally {
            store.close();
        }
        store = connect("pop3s", server.pop3s(), TestMailSystem.PASSWORD);
        try {
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(2);
            assertThat(inbox.getUID(inbox.getMessage(2))).isEqualTo(uid);
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void aWrongPasswordFailsAuthentication() {
        assertThatThrownBy(() -> connect("pop3s", server.pop3s(), "wrong"))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("[AUTH]");
    }
}
