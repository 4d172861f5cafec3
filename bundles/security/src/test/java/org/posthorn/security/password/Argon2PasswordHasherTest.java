package org.posthorn.security.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.posthorn.security.ConfigAnnotations;
import org.posthorn.security.LogCapture;

import ch.qos.logback.classic.Level;

/**
 * Every vector below was produced by the command written next to it (Debian 12: openssl 3.0,
 * whois' mkpasswd on libxcrypt, apache2-utils' htpasswd, the argon2 reference CLI, Python 3's
 * hashlib); none is computed by the code under test.
 */
class Argon2PasswordHasherTest {

    @RegisterExtension
    final LogCapture log = new LogCapture();

    /** Cheap parameters so the round trips stay fast; production defaults are tested separately. */
    private final Argon2PasswordHasher hasher = hasher(1024, 1, 1);

    private static Argon2PasswordHasher hasher(int memoryKib, int iterations, int parallelism) {
        return new Argon2PasswordHasher(ConfigAnnotations.of(Argon2PasswordHasher.Config.class, Map.of(
                "argon2_memory_kib", memoryKib, "argon2_iterations", iterations, "argon2_parallelism", parallelism)));
    }

    private boolean verify(String password, String stored) {
        return hasher.verify(password.toCharArray(), stored);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # openssl passwd -6 -salt saltstring 'Hello world!'   (also the first vector in Drepper's specification)
        {SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1 | Hello world!
        # mkpasswd -m sha-512 -R 10000 -S saltstringsaltst 'Hello world!'
        $6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v. | Hello world!
        # openssl passwd -6 -salt umlautsalt "$(printf 'P\\xc3\\xb6st horn')"   (UTF-8 password)
        {SHA512-CRYPT}$6$umlautsalt$cWPbyrtO9eaOF7OoQ4KnMvDTC3SpsDy9wWIEwHlBQefXdawOBTzacqbcaeOWrtW2MdVMEY82.zkNX32/HCZoe0 | Pöst horn
        # openssl passwd -6 -salt longpassword "$(python3 -c 'print("a"*100, end="")')"   (password longer than the digest)
        $6$longpassword$Vp4I/nxrt2oillMHbBVrxZBJj8qh30R1vg1.8yGxOP72dNpLBupSor/XL9CAwMGF.pLWNs2fdfjFc0krUX.fA0 | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        # openssl passwd -6 -salt toolongsaltstring123 'correct horse'   (openssl prints the salt cut to 16 characters)
        {SHA512-CRYPT}$6$toolongsaltstrin$n6STjOFjEcMlkz2sB9bO7GZu6OXttp.gj5jYl5aQnvP9EhgdqtqLvzFO4xSI0PlfeQ0jLaFlX19AxeEtBumNg. | correct horse
        # the same hash with the salt as given: only its first 16 characters count (Drepper, "salt string")
        {SHA512-CRYPT}$6$toolongsaltstring123$n6STjOFjEcMlkz2sB9bO7GZu6OXttp.gj5jYl5aQnvP9EhgdqtqLvzFO4xSI0PlfeQ0jLaFlX19AxeEtBumNg. | correct horse
        # openssl passwd -5 -salt saltstring 'Hello world!'   (also in Drepper's specification)
        {SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5 | Hello world!
        # mkpasswd -m sha-256 -R 5000 -S Posthorn.salt 'correct horse'   (explicit default rounds)
        $5$rounds=5000$Posthorn.salt$joSP3FyfVdSjE8oNoQhH1ImtFVsbX1ytl4u2PJhlSn1 | correct horse
        # openssl passwd -5 -salt longpassword "$(python3 -c 'print("b"*50, end="")')"   (password longer than the digest)
        {SHA256-CRYPT}$5$longpassword$aCPPSZaLJbrCjviX93G4aiT1brFyb/qqx8gsCo6zCc3 | bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
        # mkpasswd -m sha-256 -R 1000 -S roundstoolow 'the minimum number is still observed'
        $5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC | the minimum number is still observed
        # the same with rounds=10, as in Drepper's specification: fewer than 1000 rounds count as 1000
        $5$rounds=10$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC | the minimum number is still observed
        # htpasswd -bnBC 10 alice 'correct horse'
        {BLF-CRYPT}$2y$10$FJKYxIXYSO1JPYFmZbqOV.p1Ld21nF3XcjM.47wMm.RpyErrlpllK | correct horse
        # mkpasswd -m bcrypt -R 5 -S abcdefghijklmnopqrstuu 'correct horse'
        $2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2 | correct horse
        # mkpasswd -m bcrypt-a -R 5 'correct horse'
        {CRYPT}$2a$05$fArIlNnWnSTqK2.Qsd0b3uhMCP1RlgVHt7YrHkaTBuVFSHtEdWKou | correct horse
        # python3 -c "import hashlib,base64; pw=b'correct horse'; salt=bytes.fromhex('8f2a1c7e5b9d0e36'); print(base64.b64encode(hashlib.sha512(pw+salt).digest()+salt).decode())"
        {SSHA512}f5zIN3UpycyqfRYoDflo1A8aYXgAaiLD99BOsNvapuwlRURYy0c1UsQEr6vHoO31eCArYZNFJ+P0eiwujfavg48qHH5bnQ42 | correct horse
        # echo -n 'correct horse' | argon2 'posthorn-salt-16' -id -t 3 -m 12 -p 1 -l 32 -e
        {ARGON2ID}$argon2id$v=19$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$o4OVy//xCuLjhsLAXwDEsldff/09F5kt0wUlFm9urXs | correct horse
        # echo -n 'correct horse' | argon2 'posthorn-salt-16' -id -t 2 -m 10 -p 2 -l 32 -e   (two lanes)
        $argon2id$v=19$m=1024,t=2,p=2$cG9zdGhvcm4tc2FsdC0xNg$yRBOFOlX2mV40iScUHo/JVcsYDBet55Nlb7lP1r6Np8 | correct horse
        # echo -n 'password' | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e   (the example in the argon2 reference README)
        {ARGON2ID}$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo | password
        # echo -n 'correct horse' | argon2 'posthorn-salt-16' -id -v 10 -t 3 -m 12 -p 1 -l 32 -e   (Argon2 version 1.0)
        {ARGON2ID}$argon2id$v=16$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$Tt5PNo0OU0xL8Pb+4cUKW4R68XsENIcErGUW4JPLEhA | correct horse
        # echo -n 'correct horse' | argon2 'posthorn-salt-16' -i -t 3 -m 12 -p 1 -l 32 -e
        {ARGON2I}$argon2i$v=19$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$3iUVql58bcLaavr661+Z+75emEvWhhpbEV2LXVWd3I4 | correct horse
        """)
    void knownVectorVerifiesWithItsPasswordOnly(String stored, String password) {
        assertThat(verify(password, stored)).isTrue();
        assertThat(verify(password + "x", stored)).isFalse();
        assertThat(verify(password.substring(1), stored)).isFalse();
        assertThat(log.all()).doesNotContain(password).doesNotContain(stored);
    }

    @Test
    void emptyPasswordVector() {
        // mkpasswd -m sha-512 -S sixteencharsalt. ''
        String stored = "$6$sixteencharsalt.$jh5w2jhi34UvGLsOCIQILI/50vxOlsidgmMvhW0KYN8Ka10eByHiOnZ3wqYJEiS4dsONfupk1dvQZuha5G1X0.";
        assertThat(verify("", stored)).isTrue();
        assertThat(verify(" ", stored)).isFalse();
    }

    @Test
    void schemePrefixIsCaseInsensitiveLikeDovecot() {
        // openssl passwd -5 -salt saltstring 'Hello world!'
        assertThat(verify("Hello world!", "{sha256-crypt}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"))
                .isTrue();
    }

    @Test
    void plainTextIsAcceptedWithAWarningThatNamesOnlyTheScheme() {
        assertThat(verify("correct horse", "{PLAIN}correct horse")).isTrue();
        assertThat(verify("correct horse", "{CLEAR}correct horse")).isTrue();
        assertThat(verify("correct hors", "{PLAIN}correct horse")).isFalse();

        assertThat(log.messages(Level.WARN)).hasSize(3).allSatisfy(line -> assertThat(line)
                .contains("clear text").containsAnyOf("{PLAIN}", "{CLEAR}").doesNotContain("correct"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{MD5-CRYPT}$1$saltsalt$abcdefghijklmnopqrstuv",
        "$1$saltsalt$abcdefghijklmnopqrstuv",
        "{CRYPT}abJnggxhB/yWI",
        "correct horse",
        "{}correct horse",
        ""})
    void unknownSchemeNeverMatchesAndLogsOnlyTheScheme(String stored) {
        assertThat(verify("correct horse", stored)).isFalse();
        assertThat(log.messages(Level.WARN)).singleElement().asString()
                .contains("not supported").doesNotContain("correct").doesNotContain("saltsalt");
    }

    @Test
    void missingHashNeverMatches() {
        assertThat(hasher.verify("x".toCharArray(), null)).isFalse();
        assertThat(hasher.needsRehash(null)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{SHA512-CRYPT}$6$saltstring",
        "{SHA512-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
        "{SHA512-CRYPT}$6$rounds=lots$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl",
        "{SHA512-CRYPT}$6$rounds=10000",
        "{SHA256-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
        "{BLF-CRYPT}$2y$10$FJKYxIXYSO1JPYFmZbqOV.p1Ld21nF3XcjM.47wMm",
        "{BLF-CRYPT}$2y$99$FJKYxIXYSO1JPYFmZbqOV.p1Ld21nF3XcjM.47wMm.RpyErrlpllK",
        "{BLF-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl",
        "{SSHA512}not*base64",
        "{SSHA512}c2hvcnQ=",
        "{ARGON2ID}$argon2i$v=19$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$3iUVql58bcLaavr661+Z+75emEvWhhpbEV2LXVWd3I4",
        "{ARGON2ID}$argon2id$v=19$m=4096,t=3$cG9zdGhvcm4tc2FsdC0xNg$o4OVy//xCuLjhsLAXwDEsldff/09F5kt0wUlFm9urXs",
        "{ARGON2ID}$argon2id$v=19$m=4096,t=3,p=1,x=2$cG9zdGhvcm4tc2FsdC0xNg$o4OVy//xCuLjhsLAXwDEsldff/09F5kt0wUlFm9urXs",
        "{ARGON2ID}$argon2id$v=19$m=99999999,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$o4OVy//xCuLjhsLAXwDEsldff/09F5kt0wUlFm9urXs",
        "{ARGON2ID}$argon2id$v=18$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$o4OVy//xCuLjhsLAXwDEsldff/09F5kt0wUlFm9urXs",
        "{ARGON2ID}$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$o4OVy//xCuLjhsLAXwDEsldff/09F5kt0wUlFm9urXs",
        "{ARGON2ID}$argon2id$v=19$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg$!!",
        "{ARGON2ID}$argon2id$v=19$m=4096,t=3,p=1$cG9zdGhvcm4tc2FsdC0xNg"})
    void malformedHashNeverMatchesAndLogsOnlyTheScheme(String stored) {
        assertThat(verify("correct horse", stored)).isFalse();
        String scheme = stored.substring(0, stored.indexOf('}') + 1);
        assertThat(log.messages(Level.WARN)).singleElement().asString()
                .contains("Malformed " + scheme).doesNotContain("correct").doesNotContain("saltstring");
        assertThat(hasher.needsRehash(stored)).isTrue();
    }

    @Test
    void hashRoundTripsAsArgon2idInPhcFormatWithAFreshSalt() {
        String first = hasher.hash("correct horse".toCharArray());
        String second = hasher.hash("correct horse".toCharArray());

        assertThat(first).matches("\\{ARGON2ID}\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(second).isNotEqualTo(first);
        assertThat(verify("correct horse", first)).isTrue();
        assertThat(verify("correct horse", second)).isTrue();
        assertThat(verify("correct horsf", first)).isFalse();
        assertThat(verify("Pöst horn", hasher.hash("Pöst horn".toCharArray()))).isTrue();
    }

    @Test
    void onlyArgon2idWithTheCurrentCostNeedsNoRehash() {
        String current = hasher.hash("pw".toCharArray());

        assertThat(hasher.needsRehash(current)).isFalse();
        assertThat(hasher.needsRehash(current.substring("{ARGON2ID}".length()))).isFalse();
        assertThat(hasher(2048, 1, 1).needsRehash(current)).isTrue();
        assertThat(hasher(1024, 2, 1).needsRehash(current)).isTrue();
        assertThat(hasher(1024, 1, 2).needsRehash(current)).isTrue();
        assertThat(hasher.needsRehash(
                "{ARGON2I}$argon2i$v=19$m=1024,t=1,p=1$cG9zdGhvcm4tc2FsdC0xNg$3iUVql58bcLaavr661+Z+75emEvWhhpbEV2LXVWd3I4"))
                .isTrue();
        assertThat(hasher.needsRehash("{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"))
                .isTrue();
        assertThat(hasher.needsRehash("{PLAIN}pw")).isTrue();
    }

    @Test
    void changedCostAppliesToNewHashesWhileOldOnesStillVerify() {
        Argon2PasswordHasher live = hasher(1024, 1, 1);
        String old = live.hash("pw".toCharArray());

        live.modified(ConfigAnnotations.of(Argon2PasswordHasher.Config.class, Map.of("argon2_memory_kib", 2048)));

        assertThat(live.needsRehash(old)).isTrue();
        assertThat(live.verify("pw".toCharArray(), old)).isTrue();
        assertThat(live.hash("pw".toCharArray())).contains("$m=2048,t=2,p=1$");
    }

    @Test
    void defaultsAreOwaspArgon2id() {
        Argon2PasswordHasher defaults = new Argon2PasswordHasher(
                ConfigAnnotations.defaults(Argon2PasswordHasher.Config.class));

        String stored = defaults.hash("correct horse".toCharArray());

        assertThat(stored).startsWith("{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(defaults.verify("correct horse".toCharArray(), stored)).isTrue();
    }

    // ---- the cache of verified logins -----------------------------------------------------

    private final AtomicLong now = new AtomicLong();

    private Argon2PasswordHasher cachingHasher(long ttlSeconds, int size) {
        Map<String, Object> values = new HashMap<>(Map.of("argon2_memory_kib", 1024, "argon2_iterations", 1));
        values.put("login_cache_ttl_seconds", ttlSeconds);
        values.put("login_cache_size", size);
        return new Argon2PasswordHasher(ConfigAnnotations.of(Argon2PasswordHasher.Config.class, values), now::get);
    }

    @Test
    void theRightPasswordMatchesAgainAndAWrongOneNeverDoesAfterIt() {
        Argon2PasswordHasher live = cachingHasher(3600, 10);
        String stored = live.hash("correct horse".toCharArray());

        assertThat(live.verify("correct horse".toCharArray(), stored)).isTrue();
        assertThat(live.verify("correct horse".toCharArray(), stored)).isTrue();
        assertThat(live.verify("correct hors".toCharArray(), stored)).isFalse();
        assertThat(live.verify("correct horsf".toCharArray(), stored)).isFalse();
        assertThat(live.verify("".toCharArray(), stored)).isFalse();
        assertThat(live.verify("correct horse".toCharArray(), stored)).isTrue();
        assertThat(log.all()).doesNotContain("correct horse").doesNotContain(stored);
    }

    @Test
    void aNewHashDoesNotReuseTheLoginRememberedForTheOldOne() {
        Argon2PasswordHasher live = cachingHasher(3600, 10);
        String old = live.hash("old password".toCharArray());
        assertThat(live.verify("old password".toCharArray(), old)).isTrue();

        String changed = live.hash("new password".toCharArray());
        String rehashed = live.hash("old password".toCharArray());

        assertThat(live.verify("old password".toCharArray(), changed)).isFalse();
        assertThat(live.verify("new password".toCharArray(), changed)).isTrue();
        assertThat(live.verify("new password".toCharArray(), old)).isFalse();
        assertThat(live.verify("old password".toCharArray(), rehashed)).isTrue();
        assertThat(live.verify("old password ".toCharArray(), rehashed)).isFalse();
    }

    @Test
    void afterTheTimeToLiveTheRightPasswordStillMatchesAndAWrongOneStillFails() {
        Argon2PasswordHasher live = cachingHasher(60, 10);
        String stored = live.hash("pw".toCharArray());
        assertThat(live.verify("pw".toCharArray(), stored)).isTrue();

        now.addAndGet(TimeUnit.SECONDS.toNanos(61));

        assertThat(live.verify("pw".toCharArray(), stored)).isTrue();
        assertThat(live.verify("pw2".toCharArray(), stored)).isFalse();
        assertThat(live.verify("pw".toCharArray(), stored)).isTrue();
    }

    @Test
    void withTheCacheOffEveryCheckStillGivesTheRightAnswer() {
        for (Argon2PasswordHasher off : new Argon2PasswordHasher[] {cachingHasher(0, 10), cachingHasher(3600, 0)}) {
            String stored = off.hash("pw".toCharArray());
            assertThat(off.verify("pw".toCharArray(), stored)).isTrue();
            assertThat(off.verify("pw".toCharArray(), stored)).isTrue();
            assertThat(off.verify("pw!".toCharArray(), stored)).isFalse();
        }
    }

    @Test
    void manyLoginsBeyondTheSizeAllStillMatchTheirOwnPasswordOnly() {
        Argon2PasswordHasher live = cachingHasher(3600, 2);
        String[] stored = new String[4];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = live.hash(("pw" + i).toCharArray());
            assertThat(live.verify(("pw" + i).toCharArray(), stored[i])).isTrue();
        }
        for (int i = 0; i < stored.length; i++) {
            assertThat(live.verify(("pw" + i).toCharArray(), stored[i])).isTrue();
            assertThat(live.verify(("pw" + (i + 1) % stored.length).toCharArray(), stored[i])).isFalse();
        }
    }

    @Test
    void aClearTextPasswordWarnsAtEveryUseWithTheCacheOn() {
        Argon2PasswordHasher live = cachingHasher(3600, 10);

        assertThat(live.verify("pw".toCharArray(), "{PLAIN}pw")).isTrue();
        assertThat(live.verify("pw".toCharArray(), "{PLAIN}pw")).isTrue();

        assertThat(log.messages(Level.WARN)).hasSize(2);
    }

    @Test
    void theCacheIsOnByDefaultForAnHourAndTenThousandLogins() {
        Argon2PasswordHasher.Config defaults = ConfigAnnotations.defaults(Argon2PasswordHasher.Config.class);

        assertThat(defaults.login_cache_ttl_seconds()).isEqualTo(3600);
        assertThat(defaults.login_cache_size()).isEqualTo(10000);
    }

    @Test
    void loginsBeyondOneHashPerCoreWaitForATurnInsteadOfEachTakingItsMemory() throws Exception {
        String stored = hasher.hash("secret".toCharArray());
        int slots = Argon2Hash.RUNNING.availablePermits();
        Argon2Hash.RUNNING.acquireUninterruptibly(slots);
        ExecutorService login = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> verified = login.submit(() -> verify("secret", stored));
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                while (!Argon2Hash.RUNNING.hasQueuedThreads()) {
                    Thread.onSpinWait();
                }
            }, "the login waits for a free slot");
            assertThat(verified).isNotDone();

            Argon2Hash.RUNNING.release(slots);
            assertThat(verified.get(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            login.shutdownNow();
        }
        assertThat(Argon2Hash.RUNNING.availablePermits()).isEqualTo(slots);
    }
}
