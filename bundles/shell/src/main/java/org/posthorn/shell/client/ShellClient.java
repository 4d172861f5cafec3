package org.posthorn.shell.client;

import java.io.BufferedReader;
import java.io.Console;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code bin/posthorn shell}: runs shell commands in the running instance through its socket
 * ({@code <posthorn.data>/shell.sock}).
 *
 * <pre>
 *   ShellClient SOCKET -c COMMAND   run one command
 *   ShellClient SOCKET              run each line of stdin as a command (with a prompt on a terminal)
 * </pre>
 *
 * Exit status: 0 when every command succeeded, 1 when one failed (later lines of a script are not
 * run), 2 for a usage error, 3 when Posthorn does not run. A password a command asks for is read
 * without echo from the terminal, or as one line from stdin when there is no terminal (so
 * {@code printf '%s\n' "$pw" | bin/posthorn shell -c "posthorn:user-passwd bob@example.org"}).
 *
 * <p>Plain Java without the framework: {@code java -cp system/org.posthorn.shell-*.jar}.
 */
public final class ShellClient {

    static final int NOT_RUNNING = 3;

    private final Path socket;
    private final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final Console console = System.console();

    private ShellClient(Path socket) {
        this.socket = socket;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 3 && args[1].equals("-c")) {
            return new ShellClient(Path.of(args[0])).execute(args[2]);
        }
        if (args.length == 1) {
            return new ShellClient(Path.of(args[0])).script();
        }
        System.err.println("usage: posthorn shell [-c COMMAND]   (without -c: commands from stdin, one a line)");
        return Frames.USAGE;
    }

    private int script() {
        try {
            while (true) {
                if (console != null) {
                    System.out.print("posthorn> ");
                    System.out.flush();
                }
                String line = stdin.readLine();
                if (line == null) {
                    return 0;
                }
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
                int status = execute(line);
                // at a terminal the admin reads the error and goes on; a script stops at the first failure
                if (status != 0 && (console == null || status == NOT_RUNNING)) {
                    return status;
                }
            }
        } catch (IOException e) {
            System.err.println("posthorn shell: " + e.getMessage());
            return Frames.FAILED;
        }
    }

    private int execute(String command) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            System.err.println("posthorn shell: Posthorn is not running, or its shell bundle is stopped (" + socket
                    + ": " + e.getMessage() + ")");
            return NOT_RUNNING;
        }
        try (channel;
             DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
             DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel))) {
            Frames.write(out, Frames.DIRECTORY, Path.of("").toAbsolutePath().toString());
            Frames.write(out, Frames.COMMAND, command);
            Frames.Frame frame;
            while ((frame = Frames.read(in)) != null) {
                switch (frame.type()) {
                    case Frames.OUT -> copy(frame, System.out);
                    case Frames.ERR -> copy(frame, System.err);
                    case Frames.SECRET_PROMPT -> Frames.write(out, Frames.SECRET, secret(frame.text()));
                    case Frames.EXIT -> {
                        return frame.payload().length == 1 ? frame.payload()[0] : Frames.FAILED;
                    }
                    default -> throw new IOException("unexpected frame type " + frame.type());
                }
            }
            System.err.println("posthorn shell: the connection closed before the command ended");
            return Frames.FAILED;
        } catch (IOException e) {
            System.err.println("posthorn shell: " + e.getMessage());
            return Frames.FAILED;
        }
    }

    private static void copy(Frames.Frame frame, PrintStream to) {
        to.write(frame.payload(), 0, frame.payload().length);
        to.flush();
    }

    /** The secret without echo from the terminal, else one line of stdin; empty at end of input. */
    private String secret(String prompt) throws IOException {
        if (console != null) {
            char[] secret = console.readPassword("%s", prompt);
            return secret == null ? "" : new String(secret);
        }
        String line = stdin.readLine();
        return line == null ? "" : line;
    }
}
