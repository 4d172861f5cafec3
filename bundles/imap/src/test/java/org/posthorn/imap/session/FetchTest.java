package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.posthorn.api.store.AppendResult;

/** FETCH over a multipart message with an attachment and an embedded message: exact responses. */
class FetchTest extends ImapServerTest {

    static final String TEXT_BODY = "Hello Bob,=0D\r\nthe report is attached. Gr=C3=BC=C3=9Fe";
    static final String PDF_BODY = "JVBERi0xLjQKJcfsj6IK";
    static final String INNER_HEADER = "From: Dave <dave@example.com>\r\nSubject: inner\r\n"
            + "Date: Mon, 2 Nov 2026 08:00:00 +0000\r\n\r\n";
    static final String INNER = INNER_HEADER + "Inner body.";
    static final String HEADER = "From: Alice Example <alice@example.org>\r\n"
            + "To: Bob <bob@example.com>, \"Carol, C.\" <carol@example.com>\r\n"
            + "Cc: team: dave@example.com;\r\n"
            + "Subject: Quarterly\r\n report\r\n"
            + "Date: Tue, 3 Nov 2026 09:15:00 +0100\r\n"
            + "Message-ID: <report-1@example.org>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n";
    static final String PART1_HEADER = "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    static final String BODY = "--b1\r\n" + PART1_HEADER + TEXT_BODY + "\r\n"
            + "--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + PDF_BODY + "\r\n"
            + "--b1\r\nContent-Type: message/rfc822\r\n\r\n" + INNER + "\r\n"
            + "--b1--\r\n";
    static final String MESSAGE = HEADER + BODY;

    static final String ENVELOPE = "(\"Tue, 3 Nov 2026 09:15:00 +0100\" \"Quarterly report\""
            + " ((\"Alice Example\" NIL \"alice\" \"example.org\")) ((\"Alice Example\" NIL \"alice\" \"example.org\"))"
            + " ((\"Alice Example\" NIL \"alice\" \"example.org\"))"
            + " ((\"Bob\" NIL \"bob\" \"example.com\")(\"Carol, C.\" NIL \"carol\" \"example.com\"))"
            + " ((NIL NIL \"team\" NIL)(NIL NIL \"dave\" \"example.com\")(NIL NIL NIL NIL)) NIL NIL"
            + " \"<report-1@example.org>\")";
    static final String INNER_ENVELOPE = "(\"Mon, 2 Nov 2026 08:00:00 +0000\" \"inner\""
            + " ((\"Dave\" NIL \"dave\" \"example.com\")) ((\"Dave\" NIL \"dave\" \"example.com\"))"
            + " ((\"Dave\" NIL \"dave\" \"example.com\")) NIL NIL NIL NIL NIL)";

    String user;
    ImapClient c;
    AppendResult delivered;

    @BeforeEach
    void selectMessage() throws Exception {
        user = imap.newUser();
        delivered = imap.deliver(user, "INBOX", MESSAGE);
        c = loggedIn(user);
        c.command("s SELECT INBOX");
    }

    @AfterEach
    void close() throws Exception {
        c.close();
    }

    static String literal(String text) {
        return "{" + text.getBytes(StandardCharsets.UTF_8).length + "}\r\n" + text;
    }

    @Test
    void aMessageWhoseBodyIsAMessageHasItAsPartOneAndItsBodyAsPartOneOne() throws Exception {
        // RFC 3501 §6.4.5: part 1 of a non-multipart message is its body, here the embedded
        // message itself; 1.HEADER and 1.TEXT are that message's, 1.1 its body (imaptest
        // fetch-body-message-rfc822)
        String outer = "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n";
        imap.deliver(user, "INBOX", outer + INNER);
        c.command("n NOOP");
        assertThat(c.command("a FETCH 2 (BODY.PEEK[1])"))
                .containsExactly("* 2 FETCH (BODY[1] " + literal(INNER) + ")", "a OK FETCH completed");
        assertThat(c.command("b FETCH 2 (BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT] BODY.PEEK[1.1])")).containsExactly(
                "* 2 FETCH (BODY[1.HEADER] " + literal(INNER_HEADER) + " BODY[1.TEXT] {11}\r\nInner body."
                        + " BODY[1.1] {11}\r\nInner body.)", "b OK FETCH completed");
        assertThat(c.command("c FETCH 2 (BODY.PEEK[1.HEADER.FIELDS (Subject)])")).containsExactly(
                "* 2 FETCH (BODY[1.HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: inner\r\n\r\n)", "c OK FETCH completed");
    }

    @Test
    void fastMacroAndUid() throws Exception {
        String date = org.posthorn.imap.protocol.ImapDates.format(
                imap.store.messages(user, "INBOX", org.posthorn.api.store.UidSet.ALL).get(0).internalDate());
        assertThat(c.command("a FETCH 1 FAST")).containsExactly(
                "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"" + date + "\" RFC822.SIZE " + MESSAGE.length() + ")",
                "a OK FETCH completed");
        assertThat(c.command("b UID FETCH 1:* FLAGS"))
                .containsExactly("* 1 FETCH (UID 1 FLAGS (\\Recent))", "b OK UID FETCH completed");
        assertThat(c.command("c FETCH 1 (UID MODSEQ)")).containsExactly(
                "* OK [HIGHESTMODSEQ " + delivered.modSeq() + "] Highest",
                "* 1 FETCH (UID 1 MODSEQ (" + delivered.modSeq() + "))", "c OK FETCH completed");
    }

    @Test
    void envelopeAndBodyStructureNestTheParts() throws Exception {
        assertThat(c.command("a FETCH 1 ENVELOPE"))
                .containsExactly("* 1 FETCH (ENVELOPE " + ENVELOPE + ")", "a OK FETCH completed");
        String text = "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" " + TEXT_BODY.length()
                + " 2";
        String pdf = "(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") NIL NIL \"BASE64\" " + PDF_BODY.length();
        String innerText = "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 11 1";
        String rfc822 = "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" " + INNER.length() + " " + INNER_ENVELOPE + " ";
        assertThat(c.command("b FETCH 1 BODYSTRUCTURE")).containsExactly("* 1 FETCH (BODYSTRUCTURE ("
                + text + " NIL NIL NIL NIL)"
                + pdf + " NIL (\"attachment\" (\"FILENAME\" \"report.pdf\")) NIL NIL)"
                + rfc822 + innerText + " NIL NIL NIL NIL) 5 NIL NIL NIL NIL)"
                + " \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL))", "b OK FETCH completed");
        assertThat(c.command("c FETCH 1 BODY")).containsExactly("* 1 FETCH (BODY ("
                + text + ")" + pdf + ")" + rfc822 + innerText + ") 5) \"MIXED\"))", "c OK FETCH completed");
    }

    @Test
    void sectionsAreServedFromTheStoredBytes() throws Exception {
        assertThat(c.command("a FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.MIME])")).containsExactly(
                "* 1 FETCH (BODY[1] " + literal(TEXT_BODY) + " BODY[1.MIME] " + literal(PART1_HEADER) + ")",
                "a OK FETCH completed");
        assertThat(c.command("b FETCH 1 BODY.PEEK[HEADER.FIELDS (subject FROM)]")).containsExactly(
                "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] " + literal("From: Alice Example <alice@example.org>\r\n"
                        + "Subject: Quarterly\r\n report\r\n\r\n") + ")",
                "b OK FETCH completed");
        assertThat(c.command("c FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (To Cc Date Message-ID MIME-Version Content-Type)]"))
                .containsExactly("* 1 FETCH (BODY[HEADER.FIELDS.NOT (TO CC DATE MESSAGE-ID MIME-VERSION CONTENT-TYPE)] "
                        + literal("From: Alice Example <alice@example.org>\r\nSubject: Quarterly\r\n report\r\n\r\n")
                        + ")", "c OK FETCH completed");
        assertThat(c.command("d FETCH 1 (BODY.PEEK[3.HEADER] BODY.PEEK[3.TEXT] BODY.PEEK[3.1])")).containsExactly(
                "* 1 FETCH (BODY[3.HEADER] " + literal(INNER_HEADER) + " BODY[3.TEXT] " + literal("Inner body.")
                        + " BODY[3.1] " + literal("Inner body.") + ")",
                "d OK FETCH completed");
        assertThat(c.command("e FETCH 1 (BODY.PEEK[TEXT]<0.6> BODY.PEEK[]<6.5> BODY.PEEK[9] BODY.PEEK[2.HEADER])"))
                .containsExactly("* 1 FETCH (BODY[TEXT]<0> {6}\r\n--b1\r\n BODY[]<6> {5}\r\nAlice BODY[9] NIL"
                        + " BODY[2.HEADER] NIL)", "e OK FETCH completed");
        assertThat(c.command("f FETCH 1 (BODY.PEEK[3] RFC822.HEADER)")).containsExactly(
                "* 1 FETCH (BODY[3] " + literal(INNER) + " RFC822.HEADER " + literal(HEADER) + ")",
                "f OK FETCH completed");
        assertThat(c.command("g FETCH 1 FLAGS")).containsExactly("* 1 FETCH (FLAGS (\\Recent))", "g OK FETCH completed");
    }

    @Test
    void fetchingTheBodyWithoutPeekSetsSeenAndSaysSo() throws Exception {
        assertThat(c.command("a FETCH 1 BODY[TEXT]")).containsExactly(
                "* 1 FETCH (BODY[TEXT] " + literal(BODY) + " FLAGS (\\Seen \\Recent))", "a OK FETCH completed");
        assertThat(c.command("b FETCH 1 RFC822")).containsExactly(
                "* 1 FETCH (RFC822 " + literal(MESSAGE) + ")", "b OK FETCH completed");
        assertThat(c.command("c NOOP")).containsExactly("c OK NOOP completed");
    }

    @Test
    void binaryDecodesTransferEncodings() throws Exception {
        byte[] pdf = Base64.getDecoder().decode(PDF_BODY);
        String decodedText = "Hello Bob,\r\r\nthe report is attached. Grüße";
        c.send("a FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.SIZE[2] BINARY.PEEK[2]<2.3>)");
        assertThat(c.responsesTo("a")).containsExactly("* 1 FETCH (BINARY[1] ~" + literal(decodedText)
                + " BINARY.SIZE[1] " + decodedText.getBytes(StandardCharsets.UTF_8).length
                + " BINARY.SIZE[2] " + pdf.length + " BINARY[2]<2> ~{3}\r\n"
                + new String(pdf, 2, 3, StandardCharsets.ISO_8859_1) + ")", "a OK FETCH completed");
    }

    @Test
    void badSequenceNumbersAndItemsAreRefused() throws Exception {
        assertThat(c.command("a FETCH 2 FLAGS")).containsExactly("a BAD Invalid message sequence number 2 (1 messages)");
        assertThat(c.command("b FETCH 1:* FLAGS")).containsExactly("* 1 FETCH (FLAGS (\\Recent))", "b OK FETCH completed");
        assertThat(c.command("c UID FETCH 99 FLAGS")).containsExactly("c OK UID FETCH completed");
        assertThat(c.command("d UID FETCH 99:* FLAGS"))
                .containsExactly("* 1 FETCH (UID 1 FLAGS (\\Recent))", "d OK UID FETCH completed");
        assertThat(c.command("e FETCH 1 (FLAGS")).containsExactly("e BAD Missing ')'");
        assertThat(c.command("f FETCH 1 BODY[1.2.X]")).containsExactly("f BAD Invalid section X");
        c.command("g SELECT Drafts");
        assertThat(c.command("h FETCH 1:* FLAGS")).containsExactly("h BAD No messages: invalid message sequence number");
        assertThat(c.command("i UID FETCH 1:* FLAGS")).containsExactly("i OK UID FETCH completed");
    }

    @Test
    void largeMessagesAreSpooledOnAppendAndStreamedOnFetch() throws Exception {
        byte[] payload = new byte[600_000];
        new java.util.Random(7).nextBytes(payload);
        String base64 = Base64.getMimeEncoder().encodeToString(payload);
        String big = "From: a@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n"
                + "x".repeat(20_000) + "\r\n--z\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n--z--\r\n";
        c.sendRaw("a APPEND INBOX {" + big.length() + "+}\r\n" + big + "\r\n");
        assertThat(c.responsesTo("a")).last().asString().startsWith("a OK [APPENDUID");
        c.command("b NOOP");
        assertThat(c.command("c FETCH 2 (RFC822.SIZE BODY.PEEK[])")).containsExactly(
                "* 2 FETCH (RFC822.SIZE " + big.length() + " BODY[] " + literal(big) + ")", "c OK FETCH completed");
        c.send("d FETCH 2 (BINARY.PEEK[2] BODY.PEEK[1]<19990.20>)");
        String response = new String(c.lineBytes(), StandardCharsets.ISO_8859_1);
        String expectedStart = "* 2 FETCH (BINARY[2] ~{" + payload.length + "}\r\n";
        assertThat(response).startsWith(expectedStart);
        byte[] decoded = response.substring(expectedStart.length(), expectedStart.length() + payload.length)
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(response.substring(expectedStart.length() + payload.length))
                .isEqualTo(" BODY[1]<19990> {10}\r\nxxxxxxxxxx)");
        assertThat(c.line()).isEqualTo("d OK FETCH completed");
        assertThat(decoded).isEqualTo(payload);
    }

    /** APPENDs {@code message} (ISO-8859-1 characters as bytes) as a literal8; returns the responses. */
    private java.util.List<String> appendLiteral8(String tag, String message) throws Exception {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        c.send(tag + " APPEND INBOX ~{" + bytes.length + "}");
        assertThat(c.line()).isEqualTo("+ Ready for literal data");
        c.out().write(bytes);
        c.send("");
        return c.responsesTo(tag);
    }

    private String responseLine() throws Exception {
        return new String(c.lineBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void nulBytesAppendedInALiteral8AreStoredBase64AndBinaryGivesThemBack() throws Exception {
        // RFC 3516 §4.4, RFC 9051 §4.3 (no NUL in a literal) and imaptest append-binary
        String header = "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n";
        String body = "\0-\u00e4\n\r\n\n";
        assertThat(appendLiteral8("a", header + "Content-Transfer-Encoding: binary\r\n\r\n" + body))
                .last().asString().startsWith("a OK [APPENDUID");
        c.command("b NOOP");
        c.send("c FETCH 2 (BODY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[1] BODY.PEEK[HEADER])");
        String storedHeader = header + "Content-Transfer-Encoding: base64\r\n\r\n";
        assertThat(responseLine()).isEqualTo("* 2 FETCH (BODY[1] {14}\r\nAC3kCg0KCg==\r\n BINARY.SIZE[1] 7"
                + " BINARY[1] ~{7}\r\n" + body + " BODY[HEADER] " + literal(storedHeader) + ")");
        assertThat(c.line()).isEqualTo("c OK FETCH completed");
    }

    @Test
    void onlyThePartsHoldingNulBytesAreReencoded() throws Exception {
        String binaryPart = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n";
        String message = "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n"
                + "\r\npreamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello \u00e4\r\n--b\r\n" + binaryPart
                + "\0\1\2\r\nbin\0ary\r\n--b--\r\nepilogue\r\n";
        assertThat(appendLiteral8("a", message)).last().asString().startsWith("a OK [APPENDUID");
        c.command("b NOOP");
        c.send("c FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[2] BINARY.PEEK[2] BODY.PEEK[TEXT]<0.8>)");
        assertThat(responseLine()).isEqualTo("* 2 FETCH (BODY[1] {7}\r\nhello \u00e4 BODY[2.MIME] "
                + literal(binaryPart.replace(": binary", ": base64")) + " BODY[2] {16}\r\nAAECDQpiaW4AYXJ5"
                + " BINARY[2] ~{12}\r\n\0\1\2\r\nbin\0ary BODY[TEXT]<0> {8}\r\npreamble)");
        assertThat(c.line()).isEqualTo("c OK FETCH completed");
    }

    @Test
    void nulBytesOutsideABodyPartAreRefused() throws Exception {
        assertThat(appendLiteral8("a", "From: a@example.org\r\nSubject: a\0b\r\n\r\nbody\r\n")).containsExactly(
                "a NO [UNKNOWN-CTE] NUL bytes are stored only in body parts without a transfer encoding");
        assertThat(c.command("b NOOP")).containsExactly("b OK NOOP completed");
        assertThat(appendLiteral8("c", "From: a@example.org\r\n\r\nno nul\r\n"))
                .last().asString().startsWith("c OK [APPENDUID");
    }
}
