package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.UidSet;

/** The maildrop while others use the mailbox too: deliveries, IMAP expunges, unique ids over sessions, Trash. */
@ExtendWith(TestMailSystem.Resolver.class)
class Pop3MaildropTest {

    private final TestMailSystem system;
    private Pop3TestServer server;
    private String account;

    Pop3MaildropTest(TestMailSystem system) {
        this.system = system;
    }

    @BeforeEach
    void start() throws Exception {
        server = Pop3TestServer.start(system);
        account = system.newUser();
        system.deliver(account, TestMailSystem.message("one", "1\r\n"));
        system.deliver(account, TestMailSystem.message("two", "2\r\n"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** What an IMAP client does to delete a message (STORE +FLAGS (\Deleted), EXPUNGE), and the purge after it. */
    private void expungeAsImap(long uid) throws Exception {
        system.store.updateFlags(account, "INBOX", UidSet.ofUids(uid), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        system.store.expunge(account, "INBOX", UidSet.ofUids(uid));
        system.store.purge();
    }

    private List<MessageMeta> inbox() throws Exception {
        return system.store.messages(account, "INBOX", UidSet.ALL);
    }

    @Test
    void mailDeliveredDuringASessionAppearsAtTheNextLoginAndUniqueIdsStayTheSame() throws Exception {
        List<String> before;
        try (Pop3Client client = server.login(account)) {
            before = client.multiLine("UIDL");
            AppendResult third = system.deliver(account, TestMailSystem.message("three", "3\r\n"));

            assertThat(client.command("STAT")).startsWith("+OK 2 ");
            assertThat(client.command("LIST 3")).isEqualTo("-ERR No such message: 3 (there are 2)");
            assertThat(client.multiLine("UIDL")).isEqualTo(before);
            client.expectOk("QUIT");

            try (Pop3Client next = server.login(account)) {
                assertThat(next.command("STAT")).startsWith("+OK 3 ");
                assertThat(next.multiLine("UIDL")).containsExactly(before.get(0), before.get(1),
                        "3 " + third.uidValidity() + "." + third.uid());
            }
        }
    }

    @Test
    void uniqueIdsAreNotReusedAfterADeletion() throws Exception {
        List<String> first;
        try (Pop3Client client = server.login(account)) {
            first = client.multiLine("UIDL");
            client.expectOk("DELE 2");
            client.expectOk("QUIT");
        }
        system.deliver(account, TestMailSystem.message("two again", "2\r\n"));
        try (Pop3Client client = server.login(account)) {
            List<String> ids = client.multiLine("UIDL").stream().map(line -> line.split(" ")[1]).toList();
            assertThat(ids).hasSize(2).doesNotHaveDuplicates();
            assertThat(ids.get(0)).isEqualTo(first.get(0).split(" ")[1]);
            assertThat(ids.get(1)).isNotEqualTo(first.get(1).split(" ")[1]);
        }
    }

    @Test
    void aMessageExpungedByImapMeanwhileIsAnErrorToReadAndQuitStillSucceeds() throws Exception {
        try (Pop3Client client = server.login(account)) {
            expungeAsImap(inbox().get(1).uid());

            assertThat(client.command("RETR 2"))
                    .isEqualTo("-ERR Message 2 was removed by another session since you logged in");
            assertThat(client.command("TOP 2 0"))
                    .isEqualTo("-ERR Message 2 was removed by another session since you logged in");
            assertThat(client.command("LIST 2")).as("the listing is the one of the login").startsWith("+OK 2 ");
            client.expectOk("RETR 1");
            client.readMultiLine();
            client.expectOk("DELE 1");
            client.expectOk("DELE 2");
            assertThat(client.command("QUIT")).isEqualTo("+OK Bye; 0 messages left");
        }
        assertThat(inbox()).isEmpty();
    }

    @Test
    void aMessageExpungedAndPurgedAfterTheSessionLookedItUpIsAnErrorToo() throws Exception {
        try (Pop3Client client = server.login(account)) {
            client.expectOk("RETR 1"); // also looks up message 2, which is then read from its handle
            client.readMultiLine();
            expungeAsImap(inbox().get(1).uid());

            assertThat(client.command("RETR 2"))
                    .isEqualTo("-ERR Message 2 was removed by another session since you logged in");
            assertThat(client.command("QUIT")).isEqualTo("+OK Bye; 2 messages left");
        }
    }

    @Test
    void flagsSetByImapOnOtherMessagesAreLeftAlone() throws Exception {
        long first = inbox().get(0).uid();
        long second = inbox().get(1).uid();
        // the IMAP user marked message 1 \Deleted without expunging; POP3 deletes message 2 only
        system.store.updateFlags(account, "INBOX", UidSet.ofUids(first), FlagUpdate.Mode.ADD, Set.of("\\Deleted"), -1);
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 2");
            client.expectOk("QUIT");
        }
        assertThat(inbox()).extracting(MessageMeta::uid).containsExactly(first).doesNotContain(second);
    }

    @Test
    void deleCanMoveMessagesToTheTrash() throws Exception {
        server.close();
        server = Pop3TestServer.start(system, Map.of("dele.action", "trash"));
        long first = inbox().get(0).uid();
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 1");
            assertThat(client.command("QUIT")).isEqualTo("+OK Bye; 1 messages left");
        }
        assertThat(inbox()).extracting(MessageMeta::uid).doesNotContain(first).hasSize(1);
        String trash = system.store.mailboxes(account).stream()
                .filter(m -> m.specialUse().contains(SpecialUse.TRASH)).map(MailboxInfo::name).findFirst().orElseThrow();
        assertThat(system.store.messages(account, trash, UidSet.ALL)).hasSize(1);
    }

    @Test
    void deleToTrashCreatesTheTrashIfTheUserRemovedIt() throws Exception {
        server.close();
        server = Pop3TestServer.start(system, Map.of("dele.action", "trash"));
        for (MailboxInfo mailbox : system.store.mailboxes(account)) {
            if (mailbox.specialUse().contains(SpecialUse.TRASH)) {
                system.store.delete(account, mailbox.name());
            }
        }
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 2");
            client.expectOk("QUIT");
        }
        MailboxInfo trash = system.store.mailbox(account, "Trash");
        assertThat(trash.specialUse()).containsExactly(SpecialUse.TRASH);
        assertThat(system.store.messages(account, "Trash", UidSet.ALL)).hasSize(1);
    }
}
