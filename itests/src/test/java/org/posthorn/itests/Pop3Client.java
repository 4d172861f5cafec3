package org.posthorn.itests;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

/** A scripted POP3 client. */
final class Pop3Client extends LineClient {

    Pop3Client(Socket socket) throws IOException {
        super(socket);
        String greeting = readLine();
        if (!"+OK POP3 server ready".equals(greeting)) {
            close();
            throw new IOException("no greeting: " + greeting);
        }
    }

    static Pop3Client connect(int port) throws IOException {
        return new Pop3Client(plainSocket(port));
    }

    static Pop3Client implicitTls(int port, SSLContext tls) throws IOException {
        return new Pop3Client(tlsSocket(port, tls));
    }

    /** Sends a line, returns the one-line reply; fails at the end of the stream. */
    String command(String line) throws IOException {
        send(line);
        String reply = readLine();
        if (reply == null) {
            throw new EOFException("connection closed after " + line.split(" ")[0]);
        }
        return reply;
    }

    /** USER and PASS; the reply to PASS, or the refusal of USER. */
    String login(String account, String password) throws IOException {
        String user = command("USER " + account);
        return user.startsWith("+OK") ? command("PASS " + password) : user;
    }

    /** A multi-line command's lines after its +OK, without the terminating dot. */
    List<String> multiLine(String command) throws IOException {
        String reply = command(command);
        if (!reply.startsWith("+OK")) {
            throw new IOException(command + " refused: " + reply);
        }
        return lines();
    }

    /** The lines of a multi-line response up to the terminating dot, without it. */
    List<String> lines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); !".".equals(line); line = readLine()) {
            if (line == null) {
                throw new EOFException("connection closed in a multi-line response");
            }
            lines.add(line);
        }
        return lines;
    }
}
