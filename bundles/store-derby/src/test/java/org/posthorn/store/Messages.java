package org.posthorn.store;

import java.nio.charset.StandardCharsets;

import org.posthorn.api.mail.MessageSource;

/** Test messages. */
public final class Messages {

    private Messages() {
    }

    public static MessageSource source(String text) {
        return MessageSource.ofBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String simple(String from, String to, String subject, String body) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject
                + "\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nMessage-ID: <" + Math.abs(subject.hashCode())
                + "@test>\r\n\r\n" + body + "\r\n";
    }

    /**
     * multipart/mixed: 1 text/plain UTF-8 8bit, 2 multipart/alternative (2.1 text/plain QP,
     * 2.2 text/html), 3 message/rfc822 (itself multipart: 3.1 text, 3.2 base64 image),
     * 4 application/pdf base64 attachment.
     */
    public static final String NESTED = String.join("\r\n",
            "Return-Path: <alice@example.org>",
            "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>",
            "To: Bob <bob@example.com>, \"Carol, C.\" <carol@example.com>",
            "Cc: team: dave@example.com, eve@example.com;",
            "Subject: =?UTF-8?B?R3LDvMOfZQ==?= from the\r\n meeting",
            "Date: Tue, 3 Nov 2026 09:15:00 +0100",
            "Message-ID: <nested-1@example.org>",
            "In-Reply-To: <prev@example.org>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"outer\"",
            "",
            "This is the preamble.",
            "--outer",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "Grüße aus Köln, the first part.",
            "Second line.",
            "--outer",
            "Content-Type: multipart/alternative; boundary=inner",
            "",
            "--inner",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Caf=E9 cr=E8me, soft=",
            "break here.",
            "--inner",
            "Content-Type: text/html; charset=utf-8",
            "",
            "<p>Hello <b>HTML</b></p>",
            "--inner--",
            "",
            "--outer",
            "Content-Type: message/rfc822",
            "Content-Description: forwarded",
            "",
            "From: Frank <frank@example.net>",
            "Subject: inner message",
            "Date: Sun, 1 Nov 2026 08:00:00 +0000",
            "Content-Type: multipart/mixed; boundary=emb",
            "",
            "--emb",
            "",
            "Embedded text with the word zanzibar.",
            "--emb",
            "Content-Type: image/png; name=dot.png",
            "Content-Transfer-Encoding: base64",
            "",
            "iVBORw0KGgo=",
            "--emb--",
            "--outer",
            "Content-Type: application/pdf; name=\"report.pdf\"",
            "Content-Disposition: attachment; filename=\"report.pdf\"",
            "Content-Transfer-Encoding: base64",
            "Content-ID: <pdf1@example.org>",
            "",
            "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K",
            "ZW5kc3RyZWFtCmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK",
            "--outer--",
            "epilogue",
            "");
}
