package org.posthorn.sieve.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The example scripts of the Sieve RFCs, run on real messages. */
class RfcExamplesTest {

    /** RFC 5228 §9. */
    private static final String RFC5228_EXAMPLE = """
            #
            # Example Sieve Filter
            # Declare any optional features or extension used by the script
            #
            require ["fileinto"];

            #
            # Handle messages from known mailing lists
            # Move messages from IETF filter discussion list to filter mailbox
            #
            if header :is "Sender" "owner-ietf-mta-filters@imc.org"
                    {
                    fileinto "filter";  # move to "filter" mailbox
                    }
            #
            # Keep all messages to or from people in my company
            #
            elsif address :DOMAIN :is ["From", "To"] "example.com"
                    {
                    keep;               # keep in "In" mailbox
                    }

            #
            # Try and catch unsolicited email.  If a message is not to me,
            # or it contains a subject known to be spam, file it away.
            #
            elsif anyof (NOT address :all :contains
                           ["To", "Cc", "Bcc"] "me@example.com",
                         header :matches "subject"
                           ["*make*money*fast*", "*university*dipl*mas*"])
                    {
                    fileinto "spam";   # move to "spam" mailbox
                    }
            else
                    {
                    # Move all other (non-company) mail to "personal"
                    # mailbox.
                    fileinto "personal";
                    }
            """;

    private static TestMessage message(String header, String body) {
        return TestMessage.of(header + "\n\n" + body);
    }

    private static Outcome run(String script, SieveMail mail) throws ScriptException {
        return Script.compile(script).run(mail, 1 << 20);
    }

    private static List<String> mailboxes(Outcome outcome) {
        return outcome.copies().stream().map(c -> c.mailbox() == null ? "INBOX" : c.mailbox()).toList();
    }

    @Test
    void rfc5228CompleteExampleSortsListCompanySpamAndPersonalMail() throws Exception {
        assertThat(mailboxes(run(RFC5228_EXAMPLE, message(
                "From: someone@imc.org\nSender: owner-ietf-mta-filters@imc.org\nTo: me@example.com\nSubject: sieve",
                "hi")))).containsExactly("filter");
        assertThat(mailboxes(run(RFC5228_EXAMPLE, message(
                "From: \"Boss\" <boss@Example.COM>\nTo: me@example.com\nSubject: meeting", "hi"))))
                .containsExactly("INBOX");
        assertThat(mailboxes(run(RFC5228_EXAMPLE, message(
                "From: spammer@spam.test\nTo: list@lists.test\nCc: me@example.com\nSubject: How to MAKE lots of MONEY FAST",
                "buy"))))
                .containsExactly("spam");
        assertThat(mailboxes(run(RFC5228_EXAMPLE, message(
                "From: spammer@spam.test\nTo: undisclosed-recipients:;\nSubject: hello", "buy"))))
                .containsExactly("spam");
        assertThat(mailboxes(run(RFC5228_EXAMPLE, message(
                "From: friend@else.test\nTo: friends@else.test\nCc: Me <me@example.com>\nSubject: dinner?", "tonight"))))
                .containsExactly("personal");
    }

    @Test
    void rfc5228DiscardAndFileIntoInboxExample() throws Exception {
        String script = """
                require "fileinto";
                if header :contains "from" "coyote" {
                   discard;
                } elsif header :contains ["subject"] ["$$$"] {
                   discard;
                } else {
                   fileinto "INBOX";
                }
                """;
        assertThat(run(script, message("From: wile.coyote@acme.test\nSubject: hi", "x")).copies()).isEmpty();
        assertThat(run(script, message("From: a@b.test\nSubject: win $$$ now", "x")).copies()).isEmpty();
        assertThat(mailboxes(run(script, message("From: a@b.test\nSubject: hello", "x")))).containsExactly("INBOX");
    }

    @Test
    void rfc5228EnvelopeAndSizeAndExistsExamples() throws Exception {
        String script = """
                require "envelope";
                if envelope :all :is "from" "tim@example.com" { discard; }
                if size :over 1K { discard; }
                if not exists ["From", "Date"] { discard; }
                """;
        TestMessage ok = message("From: tim@example.com\nDate: Mon, 23 Nov 2026 10:00:00 +0000", "short");
        assertThat(mailboxes(run(script, ok))).containsExactly("INBOX");
        assertThat(run(script, ok.from("tim@example.com")).copies()).isEmpty();
        assertThat(run(script, message("From: a@b.test\nDate: x", "y".repeat(2000))).copies()).isEmpty();
        assertThat(run(script, message("From: a@b.test", "no date")).copies()).isEmpty();
    }

    @Test
    void rfc5228NullSenderMatchesTheEmptyString() throws Exception {
        String script = "require \"envelope\"; if envelope :is \"from\" \"\" { discard; }";
        assertThat(run(script, message("From: MAILER-DAEMON@x.test", "bounce").from("")).copies()).isEmpty();
        assertThat(run(script, message("From: a@x.test", "mail")).copies()).hasSize(1);
    }

    @Test
    void rfc5429RejectWithAMultiLineReason() throws Exception {
        String script = """
                require ["reject"];
                if header :contains "from" "coyote@desert.example.org" {
                   reject text:
                I am not taking mail from you, and I don't
                want your birdseed, either.
                .
                   ;
                }
                """;
        Outcome outcome = run(script, message("From: coyote@desert.example.org", "birdseed"));
        assertThat(outcome.copies()).isEmpty();
        assertThat(outcome.reject()).isEqualTo(
                "I am not taking mail from you, and I don't\r\nwant your birdseed, either.\r\n");
    }

    @Test
    void rfc3894FileIntoCopyKeepsTheImplicitKeep() throws Exception {
        String script = """
                require ["copy", "fileinto"];
                fileinto :copy "incoming";
                """;
        assertThat(mailboxes(run(script, message("From: a@b.test", "x")))).containsExactly("incoming", "INBOX");
        Outcome redirected = run("require \"copy\"; redirect :copy \"archive@example.net\";",
                message("From: a@b.test", "x"));
        assertThat(redirected.redirects()).containsExactly("archive@example.net");
        assertThat(mailboxes(redirected)).containsExactly("INBOX");
        Outcome moved = run("redirect \"other@example.net\";", message("From: a@b.test", "x"));
        assertThat(moved.copies()).isEmpty();
    }

    @Test
    void rfc5232FlagsGoWithKeepAndFileInto() throws Exception {
        String script = """
                require ["imap4flags", "fileinto"];
                if header :contains "from" "boss@frobnitzm.example.edu" {
                    setflag "\\\\Flagged";
                    fileinto :flags "\\\\Seen work" "From Boss";
                }
                if size :over 500K {
                    addflag ["\\\\Deleted", "big"];
                }
                if hasflag :contains "flagged" { addflag "important"; }
                removeflag "big";
                keep;
                """;
        Outcome outcome = run(script, message("From: boss@frobnitzm.example.edu", "x".repeat(600 * 1024)));
        assertThat(outcome.copies()).containsExactly(
                new Outcome.Copy("From Boss", Set.of("\\Seen", "work")),
                new Outcome.Copy(null, Set.of("\\Flagged", "\\Deleted", "important")));
    }

    @Test
    void rfc5173BodyTestsSearchDecodedTextPartsOrTheRawBody() throws Exception {
        String script = """
                require ["body", "fileinto"];
                if body :content "text" :contains ["missile", "coordinates"] {
                    fileinto "secrets";
                } elsif body :raw :contains "MAKE MONEY FAST" {
                    discard;
                }
                """;
        TestMessage multipart = message("""
                From: agent@spy.test
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b1"
                """.strip(), """
                --b1
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: quoted-printable

                The launch c=
                oordinates are attached.
                --b1
                Content-Type: application/octet-stream
                Content-Transfer-Encoding: base64

                bWlzc2lsZQ==
                --b1--
                """);
        assertThat(mailboxes(run(script, multipart))).containsExactly("secrets");
        TestMessage base64Only = message("From: a@b.test\nContent-Type: application/octet-stream\n"
                + "Content-Transfer-Encoding: base64", "bWlzc2lsZQ==");
        assertThat(mailboxes(run(script, base64Only))).containsExactly("INBOX");
        assertThat(run(script, message("From: a@b.test", "make money fast")).copies()).isEmpty();
    }

    @Test
    void rfc5230VacationExampleChoosesTheReasonBySubject() throws Exception {
        String script = """
                require "vacation";
                if header :contains "subject" "cyrus" {
                    vacation "I'm out -- send mail to cyrus-bugs";
                } else {
                    vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
                        "I'm out -- call me at +1 304 555 0123";
                }
                """;
        Outcome cyrus = run(script, message("From: a@b.test\nSubject: cyrus bug", "x"));
        assertThat(cyrus.vacation().reason()).isEqualTo("I'm out -- send mail to cyrus-bugs");
        assertThat(cyrus.vacation().days()).isEqualTo(7);
        assertThat(mailboxes(cyrus)).containsExactly("INBOX");
        Outcome other = run(script, message("From: a@b.test\nSubject: lunch", "x"));
        assertThat(other.vacation().days()).isEqualTo(23);
        assertThat(other.vacation().addresses()).containsExactly("tjs@example.edu", "ts4z@landru.example.edu");
    }

    @Test
    void headersWithEncodedWordsAreComparedDecoded() throws Exception {
        String script = "require \"fileinto\"; if header :contains \"subject\" \"Grüße\" { fileinto \"greetings\"; }";
        assertThat(mailboxes(run(script, message("From: a@b.test\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus Bern",
                "x")))).containsExactly("greetings");
    }

    @Test
    void asciiNumericComparatorAndOctetComparator() throws Exception {
        String script = """
                require ["fileinto", "comparator-i;ascii-numeric"];
                if header :is :comparator "i;ascii-numeric" "X-Priority" "1" { fileinto "urgent"; stop; }
                if header :is :comparator "i;octet" "X-Tag" "Spam" { fileinto "tagged"; }
                """;
        assertThat(mailboxes(run(script, message("X-Priority: 01 (Highest)", "x")))).containsExactly("urgent");
        assertThat(mailboxes(run(script, message("X-Tag: spam", "x")))).containsExactly("INBOX");
        assertThat(mailboxes(run(script, message("X-Tag: Spam", "x")))).containsExactly("tagged");
    }

    @Test
    void rejectTogetherWithFileIntoIsARuntimeErrorThatKeeps() throws Exception {
        Outcome outcome = run("require [\"reject\", \"fileinto\"]; fileinto \"a\"; reject \"no\";",
                message("From: a@b.test", "x"));
        assertThat(mailboxes(outcome)).containsExactly("INBOX");
        assertThat(outcome.reject()).isNull();
    }

    @Test
    void scriptErrorsNameTheLineAndTheProblem() {
        assertThatThrownBy(() -> Script.compile("fileinto \"x\";")).hasMessage(
                "line 1: fileinto needs require \"fileinto\"");
        assertThatThrownBy(() -> Script.compile("require \"fileinto\";\nif header :is \"a\" \"b\" {\n keep\n}"))
                .hasMessage("line 4: expected ';' after keep, found '}'");
        assertThatThrownBy(() -> Script.compile("require \"enotify\";")).hasMessageStartingWith(
                "line 1: extension enotify is not supported");
        assertThatThrownBy(() -> Script.compile("keep;\nrequire \"fileinto\";")).hasMessageContaining(
                "line 2: require must come before any other command");
        assertThatThrownBy(() -> Script.compile("if size 100 { keep; }")).hasMessage(
                "line 1: size needs :over or :under with a number");
        assertThatThrownBy(() -> Script.compile("frobnicate;")).hasMessage("line 1: unknown command frobnicate");
        assertThatThrownBy(() -> Script.compile("if header :is :contains \"a\" \"b\" { keep; }"))
                .hasMessageContaining("takes only one of");
        assertThatThrownBy(() -> Script.compile("redirect :copy \"a@b.test\";")).hasMessage(
                "line 1: redirect :copy needs require \"copy\"");
        assertThatThrownBy(() -> Script.compile("if true { keep; } else { keep; } else { keep; }"))
                .hasMessage("line 1: else without a preceding if");
        assertThatThrownBy(() -> Script.compile("keep; \"unclosed")).hasMessage("line 1: a quoted string is not closed");
    }
}
