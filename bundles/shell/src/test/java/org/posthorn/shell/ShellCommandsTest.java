package org.posthorn.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.store.Delivery;

/** The {@code posthorn:*} commands in a real Gogo session, on the real store and user directory. */
class ShellCommandsTest {

    @TempDir
    static Path folder;
    private static ShellFixture shell;

    @BeforeAll
    static void start() throws Exception {
        shell = new ShellFixture(folder);
        assertThat(shell.run("posthorn:domain-add example.org").status()).isZero();
    }

    @AfterAll
    static void stop() {
        shell.close();
    }

    @Test
    void userAddedWithAPasswordFromTheInputCanLogInAndHasTheStandardMailboxes() throws Exception {
        ShellFixture.Result added = shell.run("posthorn:user-add alice@Example.org", "alice's secret\n");

        assertThat(added.output()).contains("Account alice@example.org added").doesNotContain("secret");
        assertThat(shell.directory.authenticate("alice@example.org", "alice's secret".toCharArray())).isPresent();
        assertThat(shell.run("posthorn:mailbox-list alice@example.org").output())
                .containsPattern("(?m)^MAILBOX +MESSAGES +UNSEEN +SIZE +SPECIAL-USE +SUBSCRIBED$")
                .containsPattern("(?m)^INBOX +0 +0 +0 B +- +yes$")
                .containsPattern("(?m)^Sent +0 +0 +0 B +\\\\Sent +yes$");
        assertThat(shell.run("user-list example.org").output())
                .containsPattern("(?m)^alice@example.org +yes +set +0/- +0 B/-$");
    }

    @Test
    void passwordsComeFromAFileOrAsAHashNeverFromTheCommandLine() throws Exception {
        Files.writeString(folder.resolve("pw.txt"), "from a file\nignored\n");
        assertThat(shell.run("user-add bob@example.org --password-file pw.txt").status()).isZero();
        assertThat(shell.directory.authenticate("bob@example.org", "from a file".toCharArray())).isPresent();

        ShellFixture.Result hashed = shell.run(
                "user-passwd bob@example.org --hash '{PLAIN}plain for the test'");
        assertThat(hashed.output()).contains("Password of bob@example.org set");
        assertThat(shell.directory.authenticate("bob@example.org", "plain for the test".toCharArray())).isPresent();

        ShellFixture.Result noPassword = shell.run("user-passwd bob@example.org", "");
        assertThat(noPassword.failure()).hasMessage("no password given");
    }

    @Test
    void everyCommandExplainsItselfAndRefusesWrongUse() throws Exception {
        ShellFixture.Result help = shell.run("posthorn:user-add --help");
        assertThat(help.status()).isZero();
        assertThat(help.output()).startsWith("usage: posthorn:user-add ADDRESS [options]\n")
                .contains("--password-file FILE").contains("--help");

        ShellFixture.Result unknown = shell.run("posthorn:user-add carol@example.org --frobnicate");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.failure().getMessage()).startsWith("posthorn:user-add: unknown option --frobnicate\nusage:");

        assertThat(shell.run("posthorn:alias-add only-one@example.org").failure().getMessage())
                .startsWith("posthorn:alias-add: missing arguments");
        assertThat(shell.run("posthorn:user-quota alice@example.org --bytes lots").failure().getMessage())
                .contains("--bytes: not a size: lots");
    }

    @Test
    void errorsOfTheDirectoryAreToldInItsWords() throws Exception {
        ShellFixture.Result result = shell.run("user-add dave@nowhere.example", "pw\n");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.failure()).hasMessage("no local domain nowhere.example");
        assertThat(shell.run("domain-add example.org").failure()).hasMessage("domain exists: example.org");
    }

    @Test
    void quotasAreShownAndSetWithSizes() throws Exception {
        shell.run("user-add erin@example.org --no-password --quota-bytes 10M");
        assertThat(shell.run("user-quota erin@example.org").output())
                .isEqualTo("erin@example.org: 0 B of 10.0 MiB, 0 of unlimited messages\n");
        shell.store.deliver(java.util.List.of(Delivery.inbox("erin@example.org")),
                MessageSource.ofBytes("Subject: hi\r\n\r\nhello\r\n".getBytes()), null);
        assertThat(shell.run("user-quota erin@example.org --messages 500").output())
                .isEqualTo("erin@example.org: 22 B of 10.0 MiB, 1 of 500 messages\n");
        assertThat(shell.run("user-list").output()).containsPattern("(?m)^erin@example.org +yes +none +1/500 +22 B/10.0 MiB$");
    }

    @Test
    void aliasesAndCatchAllsAreListedAndRemoved() throws Exception {
        shell.run("user-add frank@example.org --no-password");
        assertThat(shell.run("alias-add sales@example.org frank@example.org").output())
                .isEqualTo("Alias sales@example.org -> frank@example.org added\n");
        shell.run("alias-add sales@example.org partner@example.net");
        shell.run("alias-catchall example.org frank@example.org");
        assertThat(shell.run("alias-list example.org").output())
                .containsPattern("(?m)^sales@example.org +frank@example.org, partner@example.net$")
                .containsPattern("(?m)^\\*@example.org +frank@example.org$");

        shell.run("alias-del sales@example.org");
        shell.run("alias-catchall example.org");
        assertThat(shell.run("alias-list example.org").output()).isEqualTo("ALIAS  TARGETS\n");
    }

    @Test
    void removingAnAccountNeedsYes() throws Exception {
        shell.run("user-add gone@example.org --no-password");
        ShellFixture.Result refused = shell.run("user-del gone@example.org");
        assertThat(refused.status()).isEqualTo(2);
        assertThat(shell.directory.user("gone@example.org")).isNotNull();

        assertThat(shell.run("user-del gone@example.org --yes").output()).isEqualTo("Account gone@example.org removed\n");
        assertThat(shell.run("user-del gone@example.org --yes").failure()).hasMessage("no account gone@example.org");
    }

    @Test
    void aDovecotPasswdFileIsImportedAndRejectedLinesAreReported() throws Exception {
        Files.writeString(folder.resolve("users.passwd"), String.join("\n",
                "# from dovecot",
                "henry@example.org:{PLAIN}henry pass::::::userdb_quota_rule=*:storage=1M",
                "ivy@elsewhere.example:{PLAIN}ivy pass",
                ""));
        ShellFixture.Result result = shell.run("passwd-import users.passwd");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.output()).contains("1 accounts added, 0 updated, 1 lines skipped").contains("elsewhere.example");
        assertThat(shell.directory.authenticate("henry@example.org", "henry pass".toCharArray())).isPresent();
        assertThat(shell.directory.user("henry@example.org").quotaBytes()).isEqualTo(1024 * 1024);

        assertThat(shell.run("passwd-import users.passwd --create-domains").output())
                .contains("1 accounts added, 1 updated, 0 lines skipped");
    }

    @Test
    void withoutTheQueueItsCommandsSaySoAndStatusStillReports() throws Exception {
        ShellFixture.Result list = shell.run("queue-list");
        assertThat(list.status()).isEqualTo(1);
        assertThat(list.failure()).hasMessageStartingWith("The mail queue is not available (is the bundle org.posthorn.queue started?");

        ShellFixture.Result status = shell.run("status");
        assertThat(status.status()).isZero();
        assertThat(status.output())
                .contains("Queue:   The mail queue is not available")
                .containsPattern("Store:   \\d+ domains?, \\d+ accounts?, \\d+ messages?")
                .containsPattern("(?m)^  org.posthorn.shell +0.1.0 +active$");
        assertThat(shell.run("tls-info").failure()).hasMessageStartingWith("The TLS material is not available");
    }
}
