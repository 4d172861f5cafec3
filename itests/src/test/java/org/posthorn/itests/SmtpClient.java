package org.posthorn.itests;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLContext;

/** A scripted SMTP client: one command, one (possibly multi-line) reply. */
final class SmtpClient extends LineClient {

    private final String greeting;

    SmtpClient(Socket socket) throws IOException {
        super(socket);
        try {
            greeting = reply();
        } catch (IOException e) {
            close();
            throw e;
        }
        if (!greeting.startsWith("220 ")) {
            close();
            throw new IOException("no greeting: " + greeting);
        }
    }

    static SmtpClient connect(int port) throws IOException {
        return new SmtpClient(plainSocket(port));
    }

    static SmtpClient implicitTls(int port, SSLContext tls) throws IOException {
        return new SmtpClient(tlsSocket(port, tls));
    }

    String greeting() {
        return greeting;
    }

    /** Sends a line, returns the reply's lines joined with LF. */
    String command(String line) throws IOException {
        send(line);
        return reply();
    }

    /** The next reply, its lines joined with LF. */
    String reply() throws IOException {
        StringBuilder reply = new StringBuilder();
        for (String line = readLine(); line != null; line = readLine()) {
            reply.append(reply.length() == 0 ? "" : "\n").append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return reply.toString();
            }
        }
        throw new EOFException("connection closed" + (reply.length() == 0 ? "" : " after " + reply));
    }
}
