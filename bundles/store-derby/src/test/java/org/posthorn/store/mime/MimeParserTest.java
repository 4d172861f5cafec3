package org.posthorn.store.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.posthorn.api.store.EnvelopeAddress;
import org.posthorn.api.store.MimePart;
import org.posthorn.store.Messages;

class MimeParserTest {

    private static ParsedMessage parse(String text) throws IOException {
        return MimeParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String slice(String text, long from, long to) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new String(Arrays.copyOfRange(b, (int) from, (int) to), StandardCharsets.UTF_8);
    }

    private static String body(String text, MimePart p) {
        return slice(text, p.bodyStart(), p.end());
    }

    private static String header(String text, MimePart p) {
        return slice(text, p.headerStart(), p.bodyStart());
    }

    @Test
    void nestedMultipartHasExactOffsetsAndTypes() throws IOException {
        String m = Messages.NESTED;
        MimePart root = parse(m).structure();

        assertThat(root.type()).isEqualTo("multipart");
        assertThat(root.subtype()).isEqualTo("mixed");
        assertThat(root.parameters()).containsEntry("boundary", "outer");
        assertThat(root.children()).hasSize(4);
        assertThat(root.headerStart()).isZero();
        assertThat(header(m, root)).startsWith("Return-Path:").endsWith("boundary=\"outer\"\r\n\r\n");
        assertThat(root.end()).isEqualTo(m.getBytes(StandardCharsets.UTF_8).length);

        MimePart text = root.part("1");
        assertThat(text.type() + "/" + text.subtype()).isEqualTo("text/plain");
        assertThat(text.transferEncoding()).isEqualTo("8BIT");
        assertThat(body(m, text)).isEqualTo("Grüße aus Köln, the first part.\r\nSecond line.");
        assertThat(text.lines()).isEqualTo(2);
        assertThat(text.decodedSize()).isEqualTo(text.bodySize());
        assertThat(header(m, text)).isEqualTo("Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n");

        MimePart alternative = root.part("2");
        assertThat(alternative.subtype()).isEqualTo("alternative");
        assertThat(body(m, alternative)).startsWith("--inner\r\n").endsWith("--inner--\r\n");
        MimePart qp = root.part("2.1");
        assertThat(qp.transferEncoding()).isEqualTo("QUOTED-PRINTABLE");
        assertThat(body(m, qp)).isEqualTo("Caf=E9 cr=E8me, soft=\r\nbreak here.");
        assertThat(qp.decodedSize()).isEqualTo("Café crème, softbreak here.".getBytes(StandardCharsets.ISO_8859_1).length);
        assertThat(body(m, root.part("2.2"))).isEqualTo("<p>Hello <b>HTML</b></p>");

        MimePart rfc822 = root.part("3");
        assertThat(rfc822.type() + "/" + rfc822.subtype()).isEqualTo("message/rfc822");
        assertThat(rfc822.description()).isEqualTo("forwarded");
        assertThat(rfc822.isEmbeddedMessage()).isTrue();
        MimePart embedded = rfc822.children().get(0);
        assertThat(embedded.headerStart()).isEqualTo(rfc822.bodyStart());
        assertThat(embedded.end()).isEqualTo(rfc822.end());
        assertThat(embedded.envelope().subject()).isEqualTo("inner message");
        assertThat(embedded.envelope().from()).containsExactly(new EnvelopeAddress("Frank", null, "frank", "example.net"));
        assertThat(body(m, rfc822)).startsWith("From: Frank").endsWith("--emb--");
        assertThat(rfc822.lines()).isEqualTo(14);
        MimePart headerless = root.part("3.1");
        assertThat(headerless.type() + "/" + headerless.subtype()).isEqualTo("text/plain");
        assertThat(headerless.parameters()).containsEntry("charset", "us-ascii");
        assertThat(headerless.bodyStart() - headerless.headerStart()).isEqualTo(2);
        assertThat(body(m, headerless)).isEqualTo("Embedded text with the word zanzibar.");
        MimePart png = root.part("3.2");
        assertThat(png.parameters()).containsEntry("name", "dot.png");
        assertThat(png.decodedSize()).isEqualTo(8);

        MimePart pdf = root.part("4");
        assertThat(pdf.disposition()).isEqualTo("attachment");
        assertThat(pdf.dispositionParameters()).containsEntry("filename", "report.pdf");
        assertThat(pdf.contentId()).isEqualTo("<pdf1@example.org>");
        assertThat(pdf.decodedSize()).isEqualTo(TransferDecoder.decodeAll(TransferDecoder.forEncoding("base64"),
                body(m, pdf).getBytes(StandardCharsets.US_ASCII)).length);
        assertThat(new String(TransferDecoder.decodeAll(TransferDecoder.forEncoding("base64"),
                body(m, pdf).getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII)).startsWith("%PDF-1.4");

        assertThat(root.part("5")).isNull();
        assertThat(root.part("3.1.1")).isSameAs(headerless);
    }

    @Test
    void envelopeKeepsRawValuesAndParsesAddressesAndGroups() throws IOException {
        ParsedMessage parsed = parse(Messages.NESTED);
        var env = parsed.structure().envelope();
        assertThat(env.subject()).isEqualTo("=?UTF-8?B?R3LDvMOfZQ==?= from the meeting");
        assertThat(env.date()).isEqualTo("Tue, 3 Nov 2026 09:15:00 +0100");
        assertThat(env.messageId()).isEqualTo("<nested-1@example.org>");
        assertThat(env.inReplyTo()).isEqualTo("<prev@example.org>");
        assertThat(env.from()).containsExactly(
                new EnvelopeAddress("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=", null, "juergen", "example.org"));
        assertThat(env.sender()).isEqualTo(env.from());
        assertThat(env.replyTo()).isEqualTo(env.from());
        assertThat(env.to()).containsExactly(new EnvelopeAddress("Bob", null, "bob", "example.com"),
                new EnvelopeAddress("Carol, C.", null, "carol", "example.com"));
        assertThat(env.cc()).containsExactly(new EnvelopeAddress(null, null, "team", null),
                new EnvelopeAddress(null, null, "dave", "example.com"),
                new EnvelopeAddress(null, null, "eve", "example.com"), new EnvelopeAddress(null, null, null, null));
        assertThat(env.bcc()).isEmpty();
        assertThat(parsed.subject()).isEqualTo("grüße from the meeting");
        assertThat(parsed.from()).contains("jürgen müller");
        assertThat(parsed.sentDate().toLocalDate()).hasToString("2026-11-03");
    }

    @Test
    void addressListsOfAllShapes() {
        assertThat(AddressParser.parse("a@b.c (Comment Name), <@r1,@r2:x@y>, \"q \\\" x\"@d, undisclosed-recipients:;"))
                .containsExactly(new EnvelopeAddress("Comment Name", null, "a", "b.c"),
                        new EnvelopeAddress(null, "@r1,@r2", "x", "y"),
                        new EnvelopeAddress(null, null, "q \" x", "d"),
                        new EnvelopeAddress(null, null, "undisclosed-recipients", null),
                        new EnvelopeAddress(null, null, null, null));
        assertThat(AddressParser.parse("Mary Smith <mary@x.test>, jdoe@example.org, nodomain"))
                .containsExactly(new EnvelopeAddress("Mary Smith", null, "mary", "x.test"),
                        new EnvelopeAddress(null, null, "jdoe", "example.org"),
                        new EnvelopeAddress(null, null, "nodomain", ""));
        assertThat(AddressParser.parse("")).isEmpty();
    }

    @Test
    void addressSearchTextDropsCommentsAndDecodesNames() {
        // the shapes of imaptest's search-addresses.mbox
        assertThat(AddressParser.searchText("<user-from (comment)@ (comment) domain.org>"))
                .isEqualTo("user-from@domain.org");
        assertThat(AddressParser.searchText("user-from@domain.org (RealFrom)"))
                .isEqualTo("realfrom <user-from@domain.org>");
        assertThat(AddressParser.searchText("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Example.org>, b@c"))
                .isEqualTo("jürgen müller <juergen@example.org>, b@c");
        assertThat(AddressParser.searchText("groupname: groupuser1@domain.org, g2@d;,\r\n  other: g3@d;, x@y, empty:;"))
                .isEqualTo("groupname: groupuser1@domain.org, g2@d;, other: g3@d;, x@y, empty:;");
        assertThat(AddressParser.searchText("\"Doe, John\" <jd@x>, nodomain")).isEqualTo("doe, john <jd@x>, nodomain");
        assertThat(AddressParser.searchText("")).isEmpty();
        assertThat(AddressParser.searchText(null)).isNull();
    }

    @Test
    void singlePartMessageBodyRunsToTheEndAndCountsLines() throws IOException {
        String m = "Subject: hi\r\n\r\nline one\r\nline two\r\n";
        MimePart root = parse(m).structure();
        assertThat(root.type() + "/" + root.subtype()).isEqualTo("text/plain");
        assertThat(body(m, root)).isEqualTo("line one\r\nline two\r\n");
        assertThat(root.lines()).isEqualTo(2);
        assertThat(parse("Subject: x\r\n\r\nno newline at end").structure().lines()).isEqualTo(1);
    }

    @Test
    void bareLineFeedsAndMissingCloseDelimiterAreTolerated() throws IOException {
        String m = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst\n--b\n\nsecond\n";
        MimePart root = parse(m).structure();
        assertThat(root.children()).hasSize(2);
        assertThat(body(m, root.part("1"))).isEqualTo("first");
        assertThat(body(m, root.part("2"))).isEqualTo("second\n");
        assertThat(root.part("2").lines()).isEqualTo(1);
    }

    @Test
    void aPartEndingInALineBreakBeforeTheDelimiterCountsThatLineOnce() throws IOException {
        // imaptest "fetch-bodystructure": the body is "hello\r\n", one line; the next CR LF is the delimiter's
        String m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n\r\n--b\r\n\r\nhello\r\n--b\r\n\r\n"
                + "a\r\n\r\n\r\n--b--\r\n";
        MimePart root = parse(m).structure();
        assertThat(body(m, root.part("1"))).isEqualTo("hello\r\n");
        assertThat(root.part("1").lines()).isEqualTo(1);
        assertThat(body(m, root.part("2"))).isEqualTo("hello");
        assertThat(root.part("2").lines()).isEqualTo(1);
        assertThat(body(m, root.part("3"))).isEqualTo("a\r\n\r\n");
        assertThat(root.part("3").lines()).isEqualTo(2);
    }

    @Test
    void headerOnlyMessageAndMultipartWithoutPartsStayWellFormed() throws IOException {
        String headerOnly = "Subject: only a header\r\n";
        MimePart root = parse(headerOnly).structure();
        assertThat(root.bodyStart()).isEqualTo(headerOnly.length());
        assertThat(root.bodySize()).isZero();

        MimePart empty = parse("Content-Type: multipart/mixed; boundary=zz\r\n\r\nno delimiter here\r\n").structure();
        assertThat(empty.children()).hasSize(1);
        assertThat(empty.children().get(0).subtype()).isEqualTo("plain");

        MimePart noBoundary = parse("Content-Type: multipart/mixed\r\n\r\nbody\r\n").structure();
        assertThat(noBoundary.type() + "/" + noBoundary.subtype()).isEqualTo("text/plain");
        assertThat(noBoundary.children()).isEmpty();
    }

    @Test
    void digestPartsDefaultToMessageRfc822() throws IOException {
        String m = "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody one\r\n--d--\r\n";
        MimePart part = parse(m).structure().part("1");
        assertThat(part.type() + "/" + part.subtype()).isEqualTo("message/rfc822");
        assertThat(part.children().get(0).envelope().subject()).isEqualTo("one");
        assertThat(body(m, part.children().get(0))).isEqualTo("body one");
    }

    @Test
    void longLinesAndLargeBodiesStreamWithoutBreakingOffsets() throws IOException {
        String longLine = "x".repeat(100_000);
        String m = "Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n--=_b\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "QUJD".repeat(50_000) + "\r\n--=_b\r\n\r\n" + longLine + "\r\n--=_b--\r\n";
        MimePart root = parse(m).structure();
        assertThat(root.part("1").decodedSize()).isEqualTo(150_000);
        assertThat(body(m, root.part("2"))).isEqualTo(longLine);
    }

    @Test
    void structureSurvivesTheCodec() throws IOException {
        MimePart root = parse(Messages.NESTED).structure();
        assertThat(StructureCodec.decode(StructureCodec.encode(root))).isEqualTo(root);
    }

    @Test
    void quotedPrintableDecodingFollowsRfc2045() {
        assertThat(decodeQp("a=3Db  \r\nc=\r\nd=XYe=\n")).isEqualTo("a=b\r\ncd=XYe");
        assertThat(decodeQp("trailing \t")).isEqualTo("trailing");
        assertThat(decodeQp("soft = \r\nnext")).isEqualTo("soft next");
    }

    private static String decodeQp(String s) {
        return new String(TransferDecoder.decodeAll(TransferDecoder.forEncoding("quoted-printable"),
                s.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodingStreamYieldsWhatTheCounterCounted() throws IOException {
        byte[] encoded = "SGVsbG8sIHdvcmxkIQ==".getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = new DecodingInputStream(new ByteArrayInputStream(encoded),
                TransferDecoder.forEncoding("BASE64"))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Hello, world!");
        }
    }

    @Test
    void encodedWordsAndDatesAreRead() {
        assertThat(EncodedWords.decode("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?= c =?utf-8?q?=C3=A9t=C3=A9?="))
                .isEqualTo("ab c été");
        assertThat(EncodedWords.decode("=?unknown?B?!!?=")).isNotNull();
        assertThat(DateField.parse("Sat, 1 Jul 23 10:52:37 EST").toString()).isEqualTo("2023-07-01T10:52:37-05:00");
        assertThat(DateField.parse("1 Jan 2024 00:00 +0000 (UTC)").toLocalDate()).hasToString("2024-01-01");
        assertThat(DateField.parse("not a date")).isNull();
    }

    @Test
    void bodySearchDecodesTextPartsAndSkipsAttachments() throws IOException {
        String m = Messages.NESTED;
        MimePart root = parse(m).structure();
        assertThat(search(m, root, "café crème", false)).isTrue();
        assertThat(search(m, root, "GRÜSSE".toLowerCase(java.util.Locale.ROOT), false)).isFalse();
        assertThat(search(m, root, "grüße aus köln", false)).isTrue();
        assertThat(search(m, root, "zanzibar", false)).isTrue();
        assertThat(search(m, root, "inner message", false)).as("embedded headers are body text").isTrue();
        assertThat(search(m, root, "%pdf", false)).as("attachments are not searched").isFalse();
        assertThat(search(m, root, "nested-1@example.org", false)).isFalse();
        assertThat(search(m, root, "nested-1@example.org", true)).isTrue();
        assertThat(MessageText.headerContains(slice(m, 0, root.bodyStart()).getBytes(StandardCharsets.UTF_8),
                "in-reply-to", "prev@")).isTrue();
    }

    private static boolean search(String m, MimePart root, String text, boolean withHeader) throws IOException {
        return MessageText.bodyContains(new ByteArrayInputStream(m.getBytes(StandardCharsets.UTF_8)), root, text,
                withHeader);
    }
}
