package org.posthorn.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.mailauth.dkim.DkimResult;
import org.posthorn.mailauth.dkim.DkimSigner;
import org.posthorn.mailauth.dkim.DkimVerifier;
import org.posthorn.mailauth.dkim.KeyRing;

/**
 * Signing as the queue runs it: keys made by the keygen command, the filter signing a submitted
 * message, and the signatures checked by our verifier against the records the command printed.
 * {@link PythonDkimTest} has dkimpy check the same.
 */
class DkimSigningFilterTest {

    static final String MESSAGE = """
            From: Alice <alice@example.org>
            To: bob@elsewhere.example
            Subject: Lunch on Friday? A subject long enough that the queue folds it over two lines
            Date: Mon, 23 Nov 2026 13:00:00 +0000
            Message-ID: <1@example.org>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            Hi Bob,\t  the usual place?
            .dotted line and trailing space\s

            """.replace("\n", "\r\n");

    @TempDir
    static Path keyFolder;
    private static TestDns dns;
    private static KeyRing keys;

    @BeforeAll
    static void keys() throws Exception {
        keys = new KeyRing(keyFolder, Map.of());
        DkimKeygenCommand keygen = new DkimKeygenCommand(keys);
        dns = new TestDns();
        dns.txt("rsa2026._domainkey.example.org", record(keygen.generate("example.org", "rsa2026", "rsa")));
        dns.txt("ed2026._domainkey.example.org", record(keygen.generate("Example.ORG", "ed2026", "ed25519")));
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    /** The record out of the command's zone file line: the quoted strings joined. */
    static String record(String keygenOutput) {
        String line = keygenOutput.lines().filter(l -> l.contains(" IN TXT (")).findFirst().orElseThrow();
        return String.join("", line.replaceAll("^[^\"]*\"|\"[^\"]*$", "").split("\"\\s*\""));
    }

    static DkimSigningFilter filter() {
        return new DkimSigningFilter(keys, new DkimSigner(List.of("from", "to", "subject", "date", "message-id",
                "mime-version", "content-type", "cc"), List.of("from", "subject")), Clock.systemUTC());
    }

    static TestMessage submitted(String message) throws Exception {
        return new TestMessage(message, TestMessage.envelope("alice@example.org", "bob@elsewhere.example",
                TestMessage.origin("submission", "192.0.2.10", "laptop", "alice")));
    }

    @Test
    void submittedMailIsSignedWithEveryKeyOfTheAuthorDomain() throws Exception {
        TestMessage message = submitted(MESSAGE);

        assertThat(filter().filter(message)).isEqualTo(FilterVerdict.CONTINUE);

        List<String> signatures = message.header("DKIM-Signature");
        assertThat(signatures).hasSize(2);
        assertThat(signatures).anySatisfy(s -> assertThat(s).contains("a=rsa-sha256", "s=rsa2026", "d=example.org", "c=relaxed/relaxed"));
        assertThat(signatures).anySatisfy(s -> assertThat(s).contains("a=ed25519-sha256", "s=ed2026"));
        assertThat(signatures.get(0)).contains("h=from:from:to:subject:subject:date:message-id:mime-version:content-type;");
        List<DkimResult> results = new DkimVerifier(dns.resolver, Clock.systemUTC(), 5).verify(MessageSource.ofBytes(message.bytes()));
        assertThat(results).extracting(DkimResult::result).containsExactly(DkimResult.Result.PASS, DkimResult.Result.PASS);
    }

    @Test
    void mailFromASubdomainIsSignedWithTheParentDomainKey() throws Exception {
        TestMessage message = submitted(MESSAGE.replace("alice@example.org>", "alice@lists.example.org>"));

        filter().filter(message);

        assertThat(message.header("DKIM-Signature")).hasSize(2).allSatisfy(s -> assertThat(s).contains("d=example.org;"));
    }

    @Test
    void mailOfDomainsWithoutKeyOrWithoutAuthIsNotSigned() throws Exception {
        TestMessage otherDomain = submitted(MESSAGE.replace("alice@example.org>", "alice@example.net>"));
        TestMessage unauthenticated = new TestMessage(MESSAGE, TestMessage.envelope("alice@example.org", "bob@elsewhere.example",
                TestMessage.origin("mx", "198.51.100.7", "mx.example.net", null)));

        filter().filter(otherDomain);
        filter().filter(unauthenticated);

        assertThat(otherDomain.header("DKIM-Signature")).isEmpty();
        assertThat(unauthenticated.header("DKIM-Signature")).isEmpty();
    }

    @Test
    void keygenWritesAPrivateFileAndNeverReplacesAKey() throws Exception {
        Path file = keyFolder.resolve("example.org").resolve("rsa2026.pem");
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        byte[] before = Files.readAllBytes(file);

        String answer = new DkimKeygenCommand(keys).generate("example.org", "rsa2026", "ed25519");

        assertThat(answer).startsWith("A key already exists at " + file);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void keygenRefusesBadInput() throws Exception {
        DkimKeygenCommand keygen = new DkimKeygenCommand(keys);

        assertThat(keygen.generate("../etc", "s1", "rsa")).startsWith("Not a domain");
        assertThat(keygen.generate("example.org", "../s1", "rsa")).startsWith("Not a selector");
        assertThat(keygen.generate("example.org", "s1", "dsa")).startsWith("Unknown key type dsa");
    }

    @Test
    void keygenPrintsTheRecordsToPublish() throws Exception {
        String output = new DkimKeygenCommand(keys).generate("example.com", "s2026", "ed25519");

        assertThat(output).contains("s2026._domainkey.example.com. IN TXT ( \"v=DKIM1; k=ed25519; p=");
        assertThat(record(output)).matches("v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=");
    }

    @Test
    void signatureTimestampComesFromTheClock() throws Exception {
        TestMessage message = submitted(MESSAGE);
        new DkimSigningFilter(keys, new DkimSigner(List.of("from"), List.of()),
                Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC)).filter(message);

        assertThat(message.header("DKIM-Signature")).allSatisfy(s -> assertThat(s).contains("t=1800000000;"));
    }
}
