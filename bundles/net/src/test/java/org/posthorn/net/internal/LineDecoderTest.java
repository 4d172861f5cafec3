package org.posthorn.net.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.posthorn.net.Line;
import org.posthorn.net.LineTooLongException;

class LineDecoderTest {

    private final InboundBuffer in = new InboundBuffer();
    private final LineDecoder decoder = new LineDecoder(10);

    private void feed(String text) {
        in.append(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Every line (or "TOO LONG") the decoder yields for {@code input} arriving in pieces of {@code step} bytes. */
    private List<String> decodeInSteps(String input, int step) {
        List<String> out = new ArrayList<>();
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += step) {
            in.append(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + step)));
            for (;;) {
                try {
                    Line line = decoder.next(in);
                    if (line == null) {
                        break;
                    }
                    out.add(line.text() + (line.endedWithBareLf() ? "<LF>" : "<CRLF>"));
                } catch (LineTooLongException e) {
                    out.add("TOO LONG");
                }
            }
        }
        return out;
    }

    @Test
    void crlfAndBareLfEndLinesAndBareLfIsReported() throws Exception {
        feed("one\r\ntwo\nthree\r\r\n");

        assertThat(decoder.next(in)).isEqualTo(new Line("one".getBytes(), false));
        assertThat(decoder.next(in)).isEqualTo(new Line("two".getBytes(), true));
        assertThat(decoder.next(in).text()).isEqualTo("three\r");
        assertThat(decoder.next(in)).isNull();
    }

    @Test
    void incompleteLineWaitsForItsEnd() throws Exception {
        feed("par");
        assertThat(decoder.next(in)).isNull();
        feed("tial\r");
        assertThat(decoder.next(in)).isNull();
        feed("\nrest");
        assertThat(decoder.next(in).text()).isEqualTo("partial");
        assertThat(in.size()).isEqualTo(4);
    }

    @Test
    void lineOfExactlyTheMaximumIsAccepted() throws Exception {
        feed("0123456789\r\n0123456789\n");
        assertThat(decoder.next(in).text()).isEqualTo("0123456789");
        assertThat(decoder.next(in).text()).isEqualTo("0123456789");
    }

    @Test
    void overLongLineIsReportedOnceAtItsEndAndTheNextLineIsIntact() {
        assertThat(decodeInSteps("01234567890\r\nok\r\n", 100)).containsExactly("TOO LONG", "ok<CRLF>");
        assertThat(decodeInSteps("01234567890\nok\n", 100)).containsExactly("TOO LONG", "ok<LF>");
    }

    @Test
    void overLongLineIsDroppedAsItArrivesNotHeld() throws Exception {
        for (int i = 0; i < 1000; i++) {
            feed("xxxxxxxxxxxxxxxxxxxx");
            assertThat(decoder.next(in)).isNull();
            assertThat(in.size()).isLessThanOrEqualTo(20);
        }
        feed("\r\nnext\r\n");
        assertThatThrownBy(() -> decoder.next(in)).isInstanceOf(LineTooLongException.class);
        assertThat(decoder.next(in).text()).isEqualTo("next");
    }

    @Test
    void resultDoesNotDependOnHowInputIsSplit() {
        String input = "a\r\nbb\ncc\r\r\n0123456789x\r\n\n\r\nlast\r\n";
        List<String> whole = decodeInSteps(input, input.length());
        for (int step = 1; step < input.length(); step++) {
            assertThat(new LineDecoderTest().decodeInSteps(input, step)).as("step %d", step).isEqualTo(whole);
        }
        assertThat(whole).containsExactly("a<CRLF>", "bb<LF>", "cc\r<CRLF>", "TOO LONG", "<LF>", "<CRLF>", "last<CRLF>");
    }
}
