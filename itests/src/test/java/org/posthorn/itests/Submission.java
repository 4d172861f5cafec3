package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.posthorn.api.tls.TlsMaterial;

/** A user submitting mail on the submission listener, as a mail client does: STARTTLS, AUTH PLAIN, one transaction. */
final class Submission {

    private Submission() {
    }

    /**
     * Sends {@code message} (header and body, each line ending in CRLF, without the final dot) from {@code user} to
     * {@code recipient}; the port is the system property {@code posthorn.itest.smtp.submission}.
     *
     * @return the reply to the final dot
     */
    static String send(String user, String password, String recipient, String message) throws Exception {
        return send(user, password, List.of(recipient), message);
    }

    /** As {@link #send(String, String, String, String)}, to several recipients in one transaction. */
    static String send(String user, String password, List<String> recipients, String message) throws Exception {
        try (SmtpClient client = SmtpClient.connect(SmtpIT.port("submission"))) {
            client.command("EHLO client.example");
            assertEquals("220 2.0.0 Ready to start TLS", client.command("STARTTLS"));
            client.startTls(trustingTheServer());
            client.command("EHLO client.example");
            String credentials = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            String auth = client.command("AUTH PLAIN " + credentials);
            assertTrue(auth, auth.startsWith("235"));
            String mail = client.command("MAIL FROM:<" + user + ">");
            assertTrue(mail, mail.startsWith("250"));
            for (String recipient : recipients) {
                String rcpt = client.command("RCPT TO:<" + recipient + ">");
                assertTrue(rcpt, rcpt.startsWith("250"));
            }
            String data = client.command("DATA");
            assertTrue(data, data.startsWith("354"));
            return client.command(message + ".");
        }
    }

    /** Trusts the certificate the distribution serves now (the probe bundle looks it up itself). */
    private static SSLContext trustingTheServer() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(Submission.class).getBundleContext();
        return LineClient.trusting(RunningFramework.service(context, TlsMaterial.class, null).certificateChain().get(0));
    }
}
