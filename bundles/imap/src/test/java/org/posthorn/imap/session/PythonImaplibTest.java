package org.posthorn.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Python's imaplib as a real client, driven by {@code imaplib_flow.py} from the test resources. */
class PythonImaplibTest extends ImapServerTest {

    @Test
    void imaplibRunsTheBasicFlows() throws Exception {
        String user = imap.newUser();
        imap.deliver(user, "INBOX", MailboxCommandsTest.message("first"));
        Path script = Path.of(getClass().getResource("/imaplib_flow.py").toURI());
        Process python = new ProcessBuilder("python3", script.toString(), String.valueOf(imap.port()), user,
                ImapFixture.PASSWORD).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(output).isZero();
        assertThat(output).contains("login: OK", "fetch structure: OK", "fetch attachment: OK", "search: OK",
                "store: OK", "copy: OK", "move: OK", "logout: OK");
    }
}
