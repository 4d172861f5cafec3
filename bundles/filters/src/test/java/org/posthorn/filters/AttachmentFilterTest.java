package org.posthorn.filters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilterVerdict.Action;
import org.posthorn.api.mail.MailAddress;

class AttachmentFilterTest {

    private static String multipart(String attachmentHeader) {
        return """
                Subject: invoice
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="outer"

                preamble
                --outer
                Content-Type: text/plain; charset=utf-8

                see attached
                --outer
                Content-Type: multipart/alternative; boundary=inner

                --inner
                Content-Type: text/html

                <p>hi</p>
                --inner--
                --outer
                %s

                TVqQAAMAAAAEAAAA
                --outer--
                """.formatted(attachmentHeader);
    }

    private final AttachmentFilter shipped = new AttachmentFilter(Configs.of(AttachmentFilter.Config.class, Map.of()));

    @Test
    void anExecutableAttachmentIsFiledIntoJunkAndTaggedByDefault() throws Exception {
        TestMessage message = new TestMessage(multipart(
                "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\n"
                        + "Content-Transfer-Encoding: base64"), "bob@example.org", "carol@example.net");

        assertThat(shipped.filter(message)).isEqualTo(FilterVerdict.CONTINUE);

        assertThat(message.header(RuleAction.HEADER)).containsExactly("attachment type not accepted: invoice.pdf.exe");
        assertThat(message.filedInto).containsOnlyKeys(MailAddress.parse("bob@example.org"), MailAddress.parse("carol@example.net"))
                .containsValue("Junk");
    }

    @Test
    void namesInRfc2231AndRfc2047EncodingAreDecodedFirst() throws Exception {
        TestMessage rfc2231 = new TestMessage(multipart(
                "Content-Type: application/octet-stream\nContent-Disposition: attachment;\n filename*=UTF-8''r%C3%A9sum%C3%A9.SCR"));
        TestMessage rfc2047 = new TestMessage(multipart(
                "Content-Type: application/octet-stream; name=\"=?UTF-8?B?Y2hlY2suanM=?=\""));

        shipped.filter(rfc2231);
        shipped.filter(rfc2047);

        assertThat(rfc2231.header(RuleAction.HEADER)).containsExactly("attachment type not accepted: r?sum?.SCR");
        assertThat(rfc2047.header(RuleAction.HEADER)).containsExactly("attachment type not accepted: check.js");
    }

    @Test
    void aContentTypeOnTheListMatchesWithoutAName() throws Exception {
        TestMessage message = new TestMessage(multipart("Content-Type: application/x-msdownload"));

        shipped.filter(message);

        assertThat(message.header(RuleAction.HEADER)).containsExactly("attachment type not accepted: application/x-msdownload");
    }

    @Test
    void anAttachedMessageIsSearchedToo() throws Exception {
        TestMessage message = new TestMessage(multipart("""
                Content-Type: message/rfc822

                Subject: inner
                Content-Type: multipart/mixed; boundary=deep

                --deep
                Content-Type: application/zip; name=tool.bat
                """.strip()));

        shipped.filter(message);

        assertThat(message.header(RuleAction.HEADER)).containsExactly("attachment type not accepted: tool.bat");
    }

    @Test
    void harmlessAttachmentsAndPlainMessagesPass() throws Exception {
        TestMessage pdf = new TestMessage(multipart("Content-Type: application/pdf; name=invoice.pdf"));
        TestMessage plain = new TestMessage("Subject: x\n\nrun setup.exe from the share\n");

        assertThat(shipped.filter(pdf)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(shipped.filter(plain)).isEqualTo(FilterVerdict.CONTINUE);
        assertThat(pdf.header(RuleAction.HEADER)).isEmpty();
        assertThat(plain.header(RuleAction.HEADER)).isEmpty();
    }

    @Test
    void withRejectTheSenderIsToldWhichAttachment() throws Exception {
        AttachmentFilter filter = new AttachmentFilter(Configs.of(AttachmentFilter.Config.class,
                Map.of("action", "reject", "extensions", "zip")));

        FilterVerdict verdict = filter.filter(new TestMessage(multipart("Content-Type: application/zip; name=tool.ZIP")));

        assertThat(verdict.action()).isEqualTo(Action.REJECT);
        assertThat(verdict.enhancedCode()).isEqualTo("5.7.1");
        assertThat(verdict.text()).isEqualTo("Message refused: attachment type not accepted: tool.ZIP");
    }
}
