package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.posthorn.api.store.MessageMeta;
import org.posthorn.api.store.UidSet;

/**
 * Several clients change one mailbox at once (append, flag, expunge, move, fetch, search). Each
 * keeps the message count its responses imply; at the end every client's view matches the
 * store's, and no command got BAD or a server error.
 */
class ConcurrentClientsTest extends ImapServerTest {

    private static final int CLIENTS = 4;
    private static final int COMMANDS = 200;
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS$");
    private static final Pattern EXPUNGE = Pattern.compile("^\\* (\\d+) EXPUNGE$");

    /** One client and the number of messages it has been told about. */
    private static final class Client {
        final ImapClient connection;
        final List<String> problems = new ArrayList<>();
        int count;
        int tag;

        Client(ImapClient connection) {
            this.connection = connection;
        }

        List<String> run(String command) throws Exception {
            String t = "c" + (++tag);
            List<String> lines = connection.command(t + " " + command);
            for (String line : lines) {
                Matcher exists = EXISTS.matcher(line);
                if (exists.matches()) {
                    count = Integer.parseInt(exists.group(1));
                } else if (EXPUNGE.matcher(line).matches()) {
                    if (Integer.parseInt(line.split(" ")[1]) > count) {
                        problems.add("EXPUNGE beyond " + count + ": " + line);
                    }
                    count--;
                }
            }
            String last = lines.get(lines.size() - 1);
            if (last.startsWith(t + " BAD") || last.contains("SERVERBUG")) {
                problems.add(command + " -> " + last);
            }
            return lines;
        }
    }

    @Test
    void everyClientEndsInStepWithTheStore() throws Exception {
        String user = imap.newUser();
        for (int i = 0; i < 10; i++) {
            imap.deliver(user, "INBOX", MailboxCommandsTest.message("seed " + i));
        }
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Client client = new Client(loggedIn(user));
            client.run("SELECT INBOX");
            clients.add(client);
        }
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Client client = clients.get(i);
                Random random = new Random(i);
                done.add(pool.submit(() -> {
                    for (int n = 0; n < COMMANDS; n++) {
                        client.run(randomCommand(random, client.count, n));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        imap.awaitEventsDelivered(user, "INBOX");
        List<Long> stored = imap.store.messages(user, "INBOX", UidSet.ALL).stream().map(MessageMeta::uid).toList();
        for (Client client : clients) {
            client.run("NOOP");
            assertThat(client.problems).isEmpty();
            assertThat(client.count).isEqualTo(stored.size());
            List<Long> seen = new ArrayList<>();
            for (String line : client.run("FETCH 1:* UID")) {
                Matcher uid = Pattern.compile("^\\* (\\d+) FETCH \\(UID (\\d+)\\)$").matcher(line);
                if (uid.matches()) {
                    assertThat(Integer.parseInt(uid.group(1))).isEqualTo(seen.size() + 1);
                    seen.add(Long.parseLong(uid.group(2)));
                }
            }
            assertThat(seen).isEqualTo(stored);
            client.connection.close();
        }
    }

    private static String randomCommand(Random random, int count, int n) {
        String any = count == 0 ? "1:*" : (1 + random.nextInt(count)) + "";
        return switch (random.nextInt(count == 0 ? 2 : 9)) {
            case 0 -> "APPEND INBOX {" + MailboxCommandsTest.message("n" + n).length() + "+}\r\n"
                    + MailboxCommandsTest.message("n" + n);
            case 1 -> "NOOP";
            case 2 -> "STORE " + any + " +FLAGS (\\Deleted)";
            case 3 -> "EXPUNGE";
            case 4 -> "FETCH " + any + " (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])";
            case 5 -> "UID MOVE " + (1 + random.nextInt(40)) + " Trash";
            case 6 -> "SEARCH UNDELETED";
            case 7 -> "STORE 1:* -FLAGS.SILENT (\\Seen)";
            default -> "UID FETCH 1:* (FLAGS)";
        };
    }
}
