package org.posthorn.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.posthorn.api.store.AppendResult;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.UidSet;

/** Scripted exchanges over a real socket: every TRANSACTION command, its errors, and the UPDATE state. */
@ExtendWith(TestMailSystem.Resolver.class)
class Pop3CommandsTest {

    private static final String FIRST = TestMailSystem.message("first", "Hello one.\r\n");
    private static final String SECOND = TestMailSystem.message("second", "Line 1\r\nLine 2\r\nLine 3\r\n");
    private static final String THIRD = TestMailSystem.message("third", "Bye.\r\n");

    private final TestMailSystem system;
    private Pop3TestServer server;
    private String account;
    private AppendResult[] delivered;

    Pop3CommandsTest(TestMailSystem system) {
        this.system = system;
    }

    @BeforeEach
    void start() throws Exception {
        server = Pop3TestServer.start(system);
        account = system.newUser();
        delivered = new AppendResult[] {system.deliver(account, FIRST), system.deliver(account, SECOND),
            system.deliver(account, THIRD)};
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private long total() {
        return FIRST.length() + SECOND.length() + THIRD.length();
    }

    private List<Long> inboxUids() throws Exception {
        return system.store.messages(account, "INBOX", UidSet.ALL).stream().map(MessageMeta::uid).toList();
    }

    @Test
    void statListAndUidlDescribeTheMaildrop() throws Exception {
        try (Pop3Client client = server.login(account)) {
            assertThat(client.command("STAT")).isEqualTo("+OK 3 " + total());
            assertThat(client.command("LIST")).isEqualTo("+OK 3 messages (" + total() + " octets)");
            assertThat(client.readMultiLine()).containsExactly("1 " + FIRST.length(), "2 " + SECOND.length(),
                    "3 " + THIRD.length());
            assertThat(client.command("LIST 2")).isEqualTo("+OK 2 " + SECOND.length());
            assertThat(client.multiLine("UIDL")).containsExactly("1 " + uidl(0), "2 " + uidl(1), "3 " + uidl(2));
            assertThat(client.command("UIDL 3")).isEqualTo("+OK 3 " + uidl(2));
            assertThat(client.command("NOOP")).isEqualTo("+OK");
        }
    }

    /** UIDVALIDITY "." UID: unique in the INBOX for as long as it exists. */
    private String uidl(int index) {
        return delivered[index].uidValidity() + "." + delivered[index].uid();
    }

    @Test
    void retrSendsTheMessageAndTopItsHeaderAndFirstLines() throws Exception {
        try (Pop3Client client = server.login(account)) {
            assertThat(client.command("RETR 2")).isEqualTo("+OK " + SECOND.length() + " octets");
            assertThat(new String(client.readMultiLineBytes(), StandardCharsets.UTF_8)).isEqualTo(SECOND + ".\r\n");

            String header = SECOND.substring(0, SECOND.indexOf("\r\n\r\n") + 4);
            assertThat(client.command("TOP 2 0")).isEqualTo("+OK Top of message follows");
            assertThat(new String(client.readMultiLineBytes(), StandardCharsets.UTF_8)).isEqualTo(header + ".\r\n");
            assertThat(client.expectOk("TOP 2 2")).isNotNull();
            assertThat(new String(client.readMultiLineBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(header + "Line 1\r\nLine 2\r\n.\r\n");
            client.expectOk("TOP 2 99");
            assertThat(new String(client.readMultiLineBytes(), StandardCharsets.UTF_8)).isEqualTo(SECOND + ".\r\n");
        }
    }

    @Test
    void deleMarksAMessageAndRsetUnmarksIt() throws Exception {
        try (Pop3Client client = server.login(account)) {
            assertThat(client.command("DELE 1")).isEqualTo("+OK Message 1 deleted");
            assertThat(client.command("STAT")).isEqualTo("+OK 2 " + (SECOND.length() + THIRD.length()));
            assertThat(client.command("DELE 1")).isEqualTo("-ERR Message 1 is already deleted");
            assertThat(client.command("RETR 1")).isEqualTo("-ERR Message 1 is already deleted");
            assertThat(client.command("LIST 1")).isEqualTo("-ERR Message 1 is already deleted");
            assertThat(client.multiLine("LIST")).containsExactly("2 " + SECOND.length(), "3 " + THIRD.length());
            assertThat(client.multiLine("UIDL")).containsExactly("2 " + uidl(1), "3 " + uidl(2));

            assertThat(client.command("RSET")).isEqualTo("+OK 3 messages (" + total() + " octets)");
            assertThat(client.command("LIST 1")).isEqualTo("+OK 1 " + FIRST.length());
        }
    }

    @Test
    void deletionsAreAppliedAtQuitAndNotBefore() throws Exception {
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 1");
            client.expectOk("DELE 3");
            assertThat(inboxUids()).as("still there while the session runs").hasSize(3);

            assertThat(client.command("QUIT")).isEqualTo("+OK Bye; 1 messages left");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(inboxUids()).containsExactly(delivered[1].uid());
    }

    @Test
    void aDroppedConnectionDeletesNothing() throws Exception {
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 1");
            client.expectOk("DELE 2");
        }
        // the lock is released when the server notices the connection is gone; then log in again
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Pop3Client again = server.connectSecure()) {
                again.expectOk("USER " + account);
                String reply = again.command("PASS " + TestMailSystem.PASSWORD);
                again.command("QUIT");
                return reply.startsWith("+OK");
            }
        });
        assertThat(inboxUids()).hasSize(3);
    }

    @Test
    void anIdleSessionIsLoggedOutWithoutDeletingAnything() throws Exception {
        server.close();
        server = Pop3TestServer.start(system, Map.of("idle.timeout.seconds", 1));
        try (Pop3Client client = server.login(account)) {
            client.expectOk("DELE 1");
            assertThat(client.readLine()).isEqualTo("-ERR Autologout: idle for too long; nothing was deleted");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(inboxUids()).hasSize(3);
    }

    @Test
    void quitBeforeLoginJustSaysGoodbye() throws Exception {
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.command("QUIT")).isEqualTo("+OK Bye");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (Pop3Client client = server.connectSecure()) {
            client.send("USER " + account + "\r\nPASS " + TestMailSystem.PASSWORD + "\r\nSTAT\r\nLIST 3\r\nDELE 3\r\n"
                    + "UIDL 1\r\nQUIT\r\n");
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.readLine()).isEqualTo("+OK Logged in; 3 messages (" + total() + " octets)");
            assertThat(client.readLine()).isEqualTo("+OK 3 " + total());
            assertThat(client.readLine()).isEqualTo("+OK 3 " + THIRD.length());
            assertThat(client.readLine()).isEqualTo("+OK Message 3 deleted");
            assertThat(client.readLine()).isEqualTo("+OK 1 " + uidl(0));
            assertThat(client.readLine()).isEqualTo("+OK Bye; 2 messages left");
        }
        assertThat(inboxUids()).hasSize(2);
    }

    @Test
    void badCommandsGetUsefulErrors() throws Exception {
        server.close();
        server = Pop3TestServer.start(system, Map.of("max.errors", 100));
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.command("FOO bar")).isEqualTo("-ERR Unknown command FOO");
            assertThat(client.command("")).isEqualTo("-ERR Empty command");
            assertThat(client.command("STAT")).isEqualTo("-ERR STAT is valid only after login (USER and PASS, or AUTH PLAIN)");
            assertThat(client.command("RETR 1")).startsWith("-ERR RETR is valid only after login");
            assertThat(client.command("APOP user 0123456789abcdef"))
                    .isEqualTo("-ERR APOP is not supported; log in with USER and PASS, or AUTH PLAIN");
            assertThat(client.command("USER")).isEqualTo("-ERR USER needs a user name");
            assertThat(client.command("PASS secret")).isEqualTo("-ERR Send USER first");
            client.login(account, TestMailSystem.PASSWORD);

            assertThat(client.command("USER " + account)).isEqualTo("-ERR USER is not valid after login");
            assertThat(client.command("STLS")).isEqualTo("-ERR STLS is not valid after login");
            assertThat(client.command("STAT 1")).isEqualTo("-ERR STAT takes no arguments");
            assertThat(client.command("RETR")).isEqualTo("-ERR Usage: RETR message");
            assertThat(client.command("RETR 1 2")).isEqualTo("-ERR Usage: RETR message");
            assertThat(client.command("RETR one")).isEqualTo("-ERR Invalid message number one");
            assertThat(client.command("RETR 0")).isEqualTo("-ERR No such message: 0 (there are 3)");
            assertThat(client.command("LIST 4")).isEqualTo("-ERR No such message: 4 (there are 3)");
            assertThat(client.command("DELE 99999999999")).isEqualTo("-ERR Invalid message number 99999999999");
            assertThat(client.command("TOP 1")).isEqualTo("-ERR Usage: TOP message lines");
            assertThat(client.command("TOP 1 -1")).isEqualTo("-ERR The number of lines must be a non-negative number: -1");
            assertThat(client.command("UIDL 1 2")).isEqualTo("-ERR Usage: UIDL [message]");
            assertThat(client.command("list 1")).as("keywords are case-insensitive").isEqualTo("+OK 1 " + FIRST.length());

            client.sendLine("NOOP " + "x".repeat(2000));
            assertThat(client.readLine()).isEqualTo("-ERR Line too long");
            assertThat(client.command("NOOP")).as("the session goes on").isEqualTo("+OK");
        }
    }

    @Test
    void tooManyErrorsEndTheSession() throws Exception {
        server.close();
        server = Pop3TestServer.start(system, Map.of("max.errors", 3));
        try (Pop3Client client = server.connectSecure()) {
            assertThat(client.command("FOO")).isEqualTo("-ERR Unknown command FOO");
            assertThat(client.command("BAR")).isEqualTo("-ERR Unknown command BAR");
            assertThat(client.command("BAZ")).isEqualTo("-ERR Unknown command BAZ; too many errors, closing the connection");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void linesStartingWithADotAreByteStuffedAndLineEndingsAreCrLf() throws Exception {
        String other = system.newUser();
        // as a lenient delivery may have stored it: dot lines, a bare LF, a bare CR, no final line ending
        String stored = "Subject: dots\r\n\r\n.\r\n.hidden\r\n..two\r\nbare LF\n.after LF\rbare CR\r\nlast . line";
        system.deliver(other, stored);
        String sent = "Subject: dots\r\n\r\n..\r\n..hidden\r\n...two\r\nbare LF\r\n..after LF\r\nbare CR\r\nlast . line\r\n";
        try (Pop3Client client = server.login(other)) {
            assertThat(client.command("RETR 1")).isEqualTo("+OK " + stored.length() + " octets");
            assertThat(new String(client.readMultiLineBytes(), StandardCharsets.UTF_8)).isEqualTo(sent + ".\r\n");
            client.expectOk("TOP 1 2");
            assertThat(new String(client.readMultiLineBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("Subject: dots\r\n\r\n..\r\n..hidden\r\n.\r\n");
            assertThat(client.command("NOOP")).as("the client is still in step").isEqualTo("+OK");
        }
    }

    @Test
    void pipelinedRetrievalsOfAwkwardMessagesAreExactlyTheStuffedBytes() throws Exception {
        String other = system.newUser();
        String header = "Subject: awkward\r\n\r\n";
        String longLine = "L".repeat(100_000);
        // the dots sit where the server's 16 KiB read buffer ends, should the store fill it whole
        String boundaries = header + "b".repeat(16 * 1024 - header.length() - 2) + "\r\n.first\r\n"
                + "c".repeat(16 * 1024 - 10) + "\r\n.\r\n..\r\nend";
        String[] stored = {header + "only a lone dot follows\r\n.\r\n", header + longLine + "\r\n." + longLine,
            boundaries, "Header: only"};
        String[] sent = {header + "only a lone dot follows\r\n..\r\n", header + longLine + "\r\n.." + longLine + "\r\n",
            header + "b".repeat(16 * 1024 - header.length() - 2) + "\r\n..first\r\n" + "c".repeat(16 * 1024 - 10)
                    + "\r\n..\r\n...\r\nend\r\n",
            "Header: only\r\n"};
        StringBuilder commands = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < stored.length; i++) {
            system.deliver(other, stored[i]);
            commands.append("RETR ").append(i + 1).append("\r\n");
            expected.append("+OK ").append(stored[i].length()).append(" octets\r\n").append(sent[i]).append(".\r\n");
        }
        commands.append("TOP 3 1\r\nQUIT\r\n");
        expected.append("+OK Top of message follows\r\n").append(sent[2], 0, sent[2].indexOf("\r\n..first") + 2)
                .append(".\r\n").append("+OK Bye; 4 messages left\r\n");
        try (Pop3Client client = server.login(other)) {
            client.send(commands.toString());
            assertThat(new String(client.input().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .isEqualTo(expected.toString());
        }
    }
}
