package org.posthorn.net.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.posthorn.net.BareLineEndingException;
import org.posthorn.net.BareLineEndings;

class DotUnstufferTest {

    /** Decodes {@code input} fed {@code step} bytes at a time into a {@code room}-byte buffer; returns body and what is left. */
    private static String[] decode(String input, BareLineEndings mode, int step, int room) throws BareLineEndingException {
        DotUnstuffer unstuffer = new DotUnstuffer(mode);
        InboundBuffer in = new InboundBuffer();
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[room];
        int fed = 0;
        for (;;) {
            int n = unstuffer.decode(in, buffer, 0, buffer.length);
            if (n < 0) {
                break;
            }
            body.write(buffer, 0, n);
            if (n == 0 && in.isEmpty()) {
                if (fed == bytes.length) {
                    return new String[] {body.toString(StandardCharsets.ISO_8859_1), null};
                }
                in.append(Arrays.copyOfRange(bytes, fed, Math.min(bytes.length, fed + step)));
                fed = Math.min(bytes.length, fed + step);
            }
        }
        byte[] rest = new byte[in.size()];
        in.read(rest, 0, rest.length);
        String left = new String(rest, StandardCharsets.ISO_8859_1) + input.substring(fed);
        return new String[] {body.toString(StandardCharsets.ISO_8859_1), left};
    }

    private static String[] decode(String input) throws BareLineEndingException {
        return decode(input, BareLineEndings.ACCEPT, input.length(), 8192);
    }

    @Test
    void endsAtCrLfDotCrLfKeepingTheLastLineEndingAndNothingAfter() throws Exception {
        assertThat(decode("Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n")).containsExactly("Subject: x\r\n\r\nbody\r\n", "QUIT\r\n");
    }

    @Test
    void emptyBodyEndsAtOnce() throws Exception {
        assertThat(decode(".\r\nNOOP\r\n")).containsExactly("", "NOOP\r\n");
    }

    @Test
    void leadingDotIsRemoved() throws Exception {
        assertThat(decode("..\r\n..hidden\r\n.x\r\nmid.dle\r\n.\r\n")).containsExactly(".\r\n.hidden\r\nx\r\nmid.dle\r\n", "");
    }

    @Test
    void onlyCrLfDotCrLfEndsData() throws Exception {
        // SMTP smuggling: each of these ends data in some server, none may end it here
        String[] result = decode("a\n.\nb\r.\rc\n.\r\nd\r\n.\ne\r\n.\rf\r\n.\r\n");
        assertThat(result[0]).isEqualTo("a\n.\nb\r.\rc\n.\r\nd\r\n\ne\r\n\rf\r\n");
        assertThat(result[1]).isEmpty();
    }

    @Test
    void rejectModeConsumesTheWholeBodyThenFailsNamingTheOffence() {
        assertThatThrownBy(() -> decode("ok\r\nbad\nline\r\n.\r\nNEXT", BareLineEndings.REJECT, 100, 8192))
                .isInstanceOfSatisfying(BareLineEndingException.class, e -> assertThat(e.isBareLineFeed()).isTrue());
        assertThatThrownBy(() -> decode("bad\rline\r\n.\r\n", BareLineEndings.REJECT, 100, 8192))
                .isInstanceOfSatisfying(BareLineEndingException.class, e -> assertThat(e.isBareLineFeed()).isFalse());
    }

    @Test
    void rejectModeLeavesTheInputRightAfterTheBody() throws Exception {
        DotUnstuffer unstuffer = new DotUnstuffer(BareLineEndings.REJECT);
        InboundBuffer in = new InboundBuffer();
        in.append("x\ny\r\n.\r\nNEXT\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[100];
        assertThatThrownBy(() -> {
            while (unstuffer.decode(in, buffer, 0, buffer.length) >= 0) {
                // read on
            }
        }).isInstanceOf(BareLineEndingException.class);
        assertThat(in.size()).isEqualTo("NEXT\r\n".length());
    }

    @Test
    void rejectModePassesCleanBodies() throws Exception {
        assertThat(decode("a\r\n..b\r\n.\r\n", BareLineEndings.REJECT, 3, 2)).containsExactly("a\r\n.b\r\n", "");
    }

    @Test
    void resultDoesNotDependOnHowInputIsSplitOrHowMuchRoomTheReaderHas() throws Exception {
        String input = "..a\r\n.\rb\n.\nc\r\r\n\r\n..\r\n.\r\nAFTER";
        String[] whole = decode(input);
        assertThat(whole).containsExactly(".a\r\n\rb\n.\nc\r\r\n\r\n.\r\n", "AFTER");
        for (int step = 1; step <= input.length(); step++) {
            for (int room = 1; room <= 4; room++) {
                assertThat(decode(input, BareLineEndings.ACCEPT, step, room)).as("step %d room %d", step, room)
                        .containsExactly(whole);
            }
        }
    }
}
