package org.posthorn.store.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.user.Account;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.api.user.UserAdminException;
import org.posthorn.store.Messages;
import org.posthorn.store.StoreFixture;
import org.posthorn.store.StoreSettings;

class UserDirectoryTest {

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private DerbyUserDirectory users;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new StoreFixture(dir, new StoreSettings("Example.ORG", 1000, 10, 5));
        users = fixture.directory;
        users.addDomain("example.org");
        users.addDomain("Other.Test");
        users.addUser("Alice@Example.org", "wonderland".toCharArray(), -1, -1);
        users.addUser("bob@other.test", "builder".toCharArray(), 0, 0);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void loginByFullAddressOrByLocalPartInTheDefaultDomain() throws Exception {
        assertThat(users.authenticate("alice@EXAMPLE.org", "wonderland".toCharArray()))
                .contains(new Account("alice@example.org", true));
        assertThat(users.authenticate("ALICE", "wonderland".toCharArray())).contains(new Account("alice@example.org", true));
        assertThat(users.authenticate("bob", "builder".toCharArray())).as("bob is not in the default domain").isEmpty();
        assertThat(users.authenticate("bob@other.test", "builder".toCharArray())).isPresent();
        assertThat(users.authenticate("alice@example.org", "wrong".toCharArray())).isEmpty();
        assertThat(users.authenticate("nobody@example.org", "x".toCharArray())).isEmpty();
        assertThat(users.authenticate("", "x".toCharArray())).isEmpty();
        char[] password = "wonderland".toCharArray();
        users.authenticate("alice@example.org", password);
        assertThat(password).as("the password is wiped").containsOnly('\0');
    }

    @Test
    void disabledAccountsCannotLogInNorReceive() throws Exception {
        users.setEnabled("alice@example.org", false);
        assertThat(users.authenticate("alice@example.org", "wonderland".toCharArray())).isEmpty();
        assertThat(users.account("alice")).contains(new Account("alice@example.org", false));
        assertThat(users.resolve(MailAddress.parse("alice@example.org")).isUnknown()).isTrue();
        users.setEnabled("alice@example.org", true);
        assertThat(users.resolve(MailAddress.parse("alice@example.org")).accounts()).containsExactly("alice@example.org");
    }

    @Test
    void oldHashesAreReplacedAfterASuccessfulLogin() throws Exception {
        users.setPasswordHash("bob@other.test", "{PLAIN}builder");
        assertThat(users.authenticate("bob@other.test", "builder".toCharArray())).isPresent();
        assertThat(storedHash("bob@other.test")).startsWith("{TEST-SHA256}");
        assertThat(users.authenticate("bob@other.test", "builder".toCharArray())).isPresent();
    }

    private String storedHash(String name) throws Exception {
        try (Connection c = fixture.db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM store_account WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void aliasesCatchAllAndSubaddressesResolve() throws Exception {
        users.addAlias("team@example.org", "alice@example.org");
        users.addAlias("team@example.org", "bob@other.test");
        users.addAlias("team@example.org", "partner@elsewhere.net");
        users.addAlias("all@example.org", "team@example.org");
        users.addAlias("loop@example.org", "loop@example.org");

        Resolution team = users.resolve(MailAddress.parse("Team@example.org"));
        assertThat(team.accounts()).containsExactly("alice@example.org", "bob@other.test");
        assertThat(team.forwards()).containsExactly(MailAddress.parse("partner@elsewhere.net"));
        assertThat(users.resolve(MailAddress.parse("all@example.org")).accounts())
                .containsExactly("alice@example.org", "bob@other.test");
        assertThat(users.resolve(MailAddress.parse("loop@example.org")).isUnknown()).isTrue();
        assertThat(users.resolve(MailAddress.parse("alice+lists@example.org")).accounts())
                .containsExactly("alice@example.org");
        assertThat(users.resolve(MailAddress.parse("stranger@example.org")).isUnknown()).isTrue();
        assertThat(users.resolve(MailAddress.parse("x@not-local.test"))).isEqualTo(Resolution.UNKNOWN);

        users.setCatchAll("example.org", "alice@example.org");
        assertThat(users.catchAll("example.org")).isEqualTo("alice@example.org");
        assertThat(users.resolve(MailAddress.parse("stranger@example.org")).accounts()).containsExactly("alice@example.org");
        assertThat(users.aliases("example.org")).extracting(UserAdmin.Alias::address)
                .containsExactly("all@example.org", "loop@example.org", "team@example.org");

        users.removeAlias("team@example.org", "bob@other.test");
        assertThat(users.resolve(MailAddress.parse("team@example.org")).accounts()).containsExactly("alice@example.org");
        users.removeAlias("team@example.org", null);
        assertThatThrownBy(() -> users.removeAlias("team@example.org", null)).isInstanceOf(UserAdminException.class)
                .extracting(e -> ((UserAdminException) e).reason()).isEqualTo(UserAdminException.Reason.NO_SUCH_ALIAS);
        users.setCatchAll("example.org", null);
        assertThat(users.catchAll("example.org")).isNull();
    }

    @Test
    void aSenderIsTheAccountItselfOrAnAliasReachingIt() throws Exception {
        Account alice = new Account("alice@example.org", true);
        users.addAlias("sales@example.org", "alice@example.org");
        users.setCatchAll("example.org", "alice@example.org");
        assertThat(users.mayUseSender(alice, MailAddress.parse("Alice@EXAMPLE.org"))).isTrue();
        assertThat(users.mayUseSender(alice, MailAddress.parse("sales@example.org"))).isTrue();
        assertThat(users.mayUseSender(alice, MailAddress.parse("ceo@example.org"))).as("not through the catch-all").isFalse();
        assertThat(users.mayUseSender(alice, MailAddress.parse("bob@other.test"))).isFalse();
    }

    @Test
    void domainsAndAccountsAreAdministered() throws Exception {
        assertThat(users.domains()).containsExactly("example.org", "other.test");
        assertThat(users.isLocalDomain("other.test")).isTrue();
        assertThat(users.isLocalDomain("example.net")).isFalse();
        UserAdmin.AccountInfo alice = users.user("alice@example.org");
        assertThat(alice.quotaBytes()).as("configured default").isEqualTo(1000);
        assertThat(alice.quotaMessages()).isEqualTo(10);
        assertThat(alice.hasPassword()).isTrue();
        assertThatThrownBy(() -> users.addUser("alice@example.org", null, 0, 0))
                .extracting(e -> ((UserAdminException) e).reason()).isEqualTo(UserAdminException.Reason.ALREADY_EXISTS);
        assertThatThrownBy(() -> users.addUser("x@unknown.test", null, 0, 0))
                .extracting(e -> ((UserAdminException) e).reason()).isEqualTo(UserAdminException.Reason.NO_SUCH_DOMAIN);
        assertThatThrownBy(() -> users.addUser("not an address", null, 0, 0))
                .extracting(e -> ((UserAdminException) e).reason()).isEqualTo(UserAdminException.Reason.INVALID);
        assertThatThrownBy(() -> users.removeDomain("example.org"))
                .extracting(e -> ((UserAdminException) e).reason()).isEqualTo(UserAdminException.Reason.NOT_EMPTY);

        users.setQuota("alice@example.org", 0, 0);
        fixture.store.append("alice@example.org", "INBOX", Messages.source(Messages.simple("a@b", "c@d", "s", "b")),
                Set.of(), null);
        assertThat(users.user("alice@example.org").usedMessages()).isEqualTo(1);
        users.addAlias("info@example.org", "alice@example.org");
        users.removeUser("alice@example.org");
        assertThat(users.users(null)).extracting(UserAdmin.AccountInfo::name).containsExactly("bob@other.test");
        assertThat(users.aliases(null)).isEmpty();
        fixture.store.purge();
        assertThat(fixture.contentRows()).isZero();
        users.removeDomain("example.org");
        assertThat(users.domains()).containsExactly("other.test");
    }

    @Test
    void passwdFileImportCreatesAndUpdatesAccounts() throws Exception {
        String passwd = String.join("\n",
                "# Dovecot passwd-file",
                "",
                "carol@example.org:{SHA512-CRYPT}$6$salt$hash:1000:1000::/home/carol::userdb_quota_rule=*:storage=1M",
                "dave@new.test:{PLAIN}pw:1001:1001:Dave:/home/dave:/bin/false:userdb_quota_rule=*:storage=10:messages=5 allow_nets=1.2.3.4",
                "bob@other.test:{TEST-SHA256}feed",
                "erin:$1$oldmd5",
                "nopass@example.org",
                "bad@@example.org:{PLAIN}x",
                "frank@absent.test:{PLAIN}x");
        UserAdmin.ImportResult created = users.importPasswdFile(new StringReader(passwd), false);
        assertThat(created.added()).isEqualTo(3);
        assertThat(created.updated()).isEqualTo(1);
        assertThat(created.errors()).hasSize(3).anySatisfy(e -> assertThat(e).startsWith("8: "))
                .anySatisfy(e -> assertThat(e).startsWith("4: ").contains("new.test"));

        UserAdmin.ImportResult withDomains = users.importPasswdFile(new StringReader(passwd), true);
        assertThat(withDomains.added()).isEqualTo(2);
        assertThat(withDomains.updated()).isEqualTo(4);
        assertThat(users.domains()).contains("new.test", "absent.test");

        assertThat(users.user("carol@example.org").quotaBytes()).isEqualTo(1L << 20);
        assertThat(users.user("dave@new.test").quotaBytes()).isEqualTo(10 * 1024);
        assertThat(users.user("dave@new.test").quotaMessages()).isEqualTo(5);
        assertThat(storedHash("erin@example.org")).isEqualTo("{CRYPT}$1$oldmd5");
        assertThat(storedHash("bob@other.test")).isEqualTo("{TEST-SHA256}feed");
        assertThat(users.user("nopass@example.org").hasPassword()).isFalse();
        assertThat(users.authenticate("dave@new.test", "pw".toCharArray())).isPresent();
        assertThat(fixture.store.mailboxes("dave@new.test")).extracting(MailboxInfo::name).contains("INBOX", "Sent");
    }

    @Test
    void dovecotSizesHaveUnits() {
        assertThat(PasswdLine.size("100")).isEqualTo(100 * 1024);
        assertThat(PasswdLine.size("100B")).isEqualTo(100);
        assertThat(PasswdLine.size("2G")).isEqualTo(2L << 30);
        assertThat(List.of(PasswdLine.parse("x@y.z:{A}b", null).hash())).containsExactly("{A}b");
    }
}
