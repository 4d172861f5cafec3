package org.posthorn.queue.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.posthorn.api.filter.HeaderField;

class MessageHeaderTest {

    private static final String HEADER = "Received: from a\r\n\tby b; Mon, 23 Nov 2026\r\nSubject: Grüße\r\n"
            + "To: bob@example.org\r\nX-Spam: old\r\nx-spam: older\r\n\r\n";

    private static MessageHeader parse(String text) {
        return MessageHeader.parse(text.getBytes(StandardCharsets.UTF_8), false);
    }

    private static String text(MessageHeader header) {
        return new String(header.toBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void fieldsAreUnfoldedAndNamesMatchIgnoringCase() {
        MessageHeader header = parse(HEADER);
        assertThat(header.fields()).first().isEqualTo(new HeaderField("Received", "from a\tby b; Mon, 23 Nov 2026"));
        assertThat(header.values("subject")).containsExactly("Grüße");
        assertThat(header.values("X-SPAM")).containsExactly("old", "older");
    }

    @Test
    void anUntouchedHeaderIsWrittenBackByteForByte() {
        MessageHeader header = parse(HEADER);
        assertThat(header.changed()).isFalse();
        assertThat(text(header)).isEqualTo(HEADER);
    }

    @Test
    void editsKeepOtherFieldsExactlyAndReplaceInPlace() {
        MessageHeader header = parse(HEADER);
        header.prepend("X-Filtered", "yes");
        header.set("x-spam", "score=5.1");
        header.remove("To");
        assertThat(header.changed()).isTrue();
        assertThat(text(header)).isEqualTo("X-Filtered: yes\r\nReceived: from a\r\n\tby b; Mon, 23 Nov 2026\r\n"
                + "Subject: Grüße\r\nx-spam: score=5.1\r\n\r\n");
    }

    @Test
    void longNewFieldsAreFoldedAndLineBreaksInValuesCannotAddFields() {
        MessageHeader header = parse(HEADER);
        header.prepend("X-Long", "word ".repeat(30).strip());
        header.prepend("X-Evil", "a\r\nBcc: everyone@example.org");
        String text = text(header);
        assertThat(text).startsWith("X-Evil: a Bcc: everyone@example.org\r\nX-Long: word");
        assertThat(text.lines().filter(l -> l.startsWith("X-Long") || l.startsWith(" word")))
                .hasSizeGreaterThan(1).allMatch(l -> l.length() <= 78);
        assertThat(parse(text).values("X-Long")).containsExactly("word ".repeat(30).strip());
    }

    @Test
    void aTruncatedHeaderIsWrittenWithoutTheEmptyLine() {
        MessageHeader header = MessageHeader.parse("A: 1\r\nB: 2\r\n".getBytes(StandardCharsets.US_ASCII), true);
        header.remove("A");
        assertThat(new String(header.toBytes(), StandardCharsets.US_ASCII)).isEqualTo("B: 2\r\n");
    }

    @Test
    void invalidFieldNamesAreRefused() {
        MessageHeader header = parse(HEADER);
        assertThatThrownBy(() -> header.prepend("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
