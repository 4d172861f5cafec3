package org.posthorn.itests;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** A scripted IMAP client; a literal in a response is read into the line that announced it. */
final class ImapClient extends LineClient {

    ImapClient(Socket socket) throws IOException {
        super(socket);
    }

    static ImapClient connect(int port) throws IOException {
        return new ImapClient(plainSocket(port));
    }

    /** The next response line with its literals; fails at the end of the stream. */
    String line() throws IOException {
        String line = lineOrNull();
        if (line == null) {
            throw new IOException("connection closed");
        }
        return line;
    }

    /** The next response line with its literals, or {@code null} at the end of the stream. */
    String lineOrNull() throws IOException {
        String line = readLine();
        while (line != null && line.matches(".*\\{\\d+}$")) {
            int length = Integer.parseInt(line.substring(line.lastIndexOf('{') + 1, line.length() - 1));
            line = line + "\r\n" + read(length) + readLine();
        }
        return line;
    }

    /**
     * Sends a tagged command and returns the response lines up to the tagged one; or, if the
     * server says {@code * BYE} and closes the connection first, up to the end of the stream.
     */
    List<String> command(String command) throws IOException {
        send(command);
        String tag = command.substring(0, command.indexOf(' ') + 1);
        List<String> lines = new ArrayList<>();
        for (String line = lineOrNull(); ; line = lineOrNull()) {
            if (line == null) {
                if (lines.stream().anyMatch(l -> l.startsWith("* BYE"))) {
                    return lines;
                }
                throw new IOException("connection closed after " + lines);
            }
            lines.add(line);
            if (line.startsWith(tag)) {
                return lines;
            }
        }
    }
}
