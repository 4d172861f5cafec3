package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.QuotaUsage;
import org.posthorn.api.store.StoreException;

/** RCPT TO a local user over quota: 452 4.2.2 while full, 552 5.2.2 when the declared size can never fit. */
class QuotaTest {

    @TempDir
    Path folder;
    private TestServer server;
    /** Quota by account; an account not here makes the store fail. */
    private final Map<String, QuotaUsage> quotas = new ConcurrentHashMap<>();
    private final MailboxStore store = (MailboxStore) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MailboxStore.class}, (self, method, args) -> {
                if (!method.getName().equals("quota")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                QuotaUsage quota = quotas.get((String) args[0]);
                if (quota == null) {
                    throw new StoreException(StoreException.Reason.UNAVAILABLE, "store down");
                }
                return quota;
            });

    @BeforeEach
    void start() {
        server = TestServer.start(folder);
        server.smtp.bindMailboxStore(store);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String rcpt(String size, String recipient) throws Exception {
        try (SmtpClient client = SmtpClient.connect(server.mx())) {
            client.ehlo("client.example");
            assertThat(client.command("MAIL FROM:<sender@example.com>" + (size == null ? "" : " SIZE=" + size)))
                    .isEqualTo("250 2.1.0 Ok");
            return client.command("RCPT TO:<" + recipient + ">");
        }
    }

    @Test
    void aFullMailboxGetsATemporaryRefusalOthersAreAccepted() throws Exception {
        quotas.put(TestUsers.ALICE, new QuotaUsage(1000, 1000, 3, 0));
        quotas.put(TestUsers.BOB, new QuotaUsage(100, 1000, 3, 0));
        assertThat(rcpt(null, TestUsers.ALICE)).isEqualTo("452 4.2.2 <alice@example.org>: Mailbox full; try again later");
        // an alias of alice reaches the same full mailbox
        assertThat(rcpt(null, "sales@example.org")).isEqualTo("452 4.2.2 <sales@example.org>: Mailbox full; try again later");
        assertThat(rcpt(null, TestUsers.BOB)).isEqualTo("250 2.1.5 Ok");

        quotas.put(TestUsers.BOB, new QuotaUsage(100, 0, 50, 50));
        assertThat(rcpt(null, TestUsers.BOB)).isEqualTo("452 4.2.2 <bob@example.org>: Mailbox full; try again later");
    }

    @Test
    void aDeclaredSizeIsCheckedAgainstTheQuota() throws Exception {
        quotas.put(TestUsers.BOB, new QuotaUsage(100, 1000, 3, 0));
        assertThat(rcpt("900", TestUsers.BOB)).isEqualTo("250 2.1.5 Ok");
        assertThat(rcpt("901", TestUsers.BOB)).isEqualTo("452 4.2.2 <bob@example.org>: Mailbox full; try again later");
        assertThat(rcpt("1001", TestUsers.BOB))
                .isEqualTo("552 5.2.2 <bob@example.org>: Message is larger than the recipient's mailbox quota");
    }

    @Test
    void withoutTheStoreOrWhenItFailsTheQueueDecidesLater() throws Exception {
        assertThat(rcpt(null, TestUsers.ALICE)).isEqualTo("250 2.1.5 Ok");
        quotas.put(TestUsers.ALICE, new QuotaUsage(1000, 1000, 3, 0));
        server.smtp.unbindMailboxStore(store);
        assertThat(rcpt(null, TestUsers.ALICE)).isEqualTo("250 2.1.5 Ok");
        server.smtp.bindMailboxStore(store);
        assertThat(rcpt(null, TestUsers.ALICE)).startsWith("452 4.2.2 ");
    }
}
