package org.posthorn.shell;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.shell.client.Frames;
import org.posthorn.shell.command.CommandFailure;
import org.posthorn.shell.command.SecretSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell of the running instance for {@code bin/posthorn shell}: a Unix-domain socket in the
 * data folder, readable and writable by the user Posthorn runs as only (mode 0600), where each
 * connection runs one command line in a fresh Gogo session and streams its output back
 * ({@link Frames}). Commands are logged by name only: their arguments may hold secrets' paths,
 * their input may hold passwords.
 */
@Component(immediate = true, configurationPid = "org.posthorn.shell", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ShellSocket.Config.class)
public final class ShellSocket {

    @ObjectClassDefinition(name = "Posthorn shell socket",
            description = "The Unix-domain socket through which bin/posthorn shell runs commands in the running instance")
    public @interface Config {
        @AttributeDefinition(description = "Socket file; relative paths are under the data folder (posthorn.data)."
                + " bin/posthorn shell expects data/shell.sock unless POSTHORN_SHELL_SOCKET says otherwise")
        String socket_path() default "shell.sock";

        @AttributeDefinition(description = "Commands that run at the same time; further connections wait", min = "1")
        int max_sessions() default 4;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ShellSocket.class);

    private final CommandProcessor processor;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Semaphore sessions;
    private final ExecutorService workers;
    private final Thread acceptor;

    @Activate
    public ShellSocket(Config config, BundleContext context, @Reference CommandProcessor processor) throws IOException {
        this(processor, AdminShell.dataFolder(context).resolve(config.socket_path()), config.max_sessions());
    }

    ShellSocket(CommandProcessor processor, Path socket, int maxSessions) throws IOException {
        this.processor = processor;
        this.socket = socket.toAbsolutePath();
        this.server = bindPrivately(this.socket);
        this.sessions = new Semaphore(Math.max(1, maxSessions));
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "posthorn-shell-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new Thread(this::accept, "posthorn-shell-socket");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("Shell socket ready at {}", this.socket);
    }

    /**
     * Binds in a fresh folder only this user can enter, makes the socket 0600 there and then
     * moves it into place, so no one else can connect even for a moment. A socket file left by an
     * instance that was killed is replaced.
     */
    private static ServerSocketChannel bindPrivately(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        Path folder = Files.createTempDirectory(socket.getParent(), ".shell",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temporary = folder.resolve("s");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, socket, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot open the shell socket " + socket + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(temporary);
            Files.delete(folder);
        }
    }

    @Deactivate
    void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("Could not remove the shell socket {}: {}", socket, e.getMessage());
        }
        workers.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                sessions.acquire();
                try {
                    workers.execute(() -> serve(connection));
                } catch (RejectedExecutionException e) {
                    sessions.release();
                    connection.close();
                }
            } catch (ClosedChannelException e) {
                return; // closed by close()
            } catch (IOException e) {
                LOG.warn("Shell socket {}: {}", socket, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void serve(SocketChannel connection) {
        try (connection;
             DataInputStream in = new DataInputStream(Channels.newInputStream(connection));
             DataOutputStream out = new DataOutputStream(Channels.newOutputStream(connection))) {
            Frames.Frame request = Frames.read(in);
            Path directory = null;
            if (request != null && request.type() == Frames.DIRECTORY) {
                directory = Path.of(request.text());
                request = Frames.read(in);
            }
            if (request == null || request.type() != Frames.COMMAND) {
                return;
            }
            int status = run(request.text(), directory, in, out);
            Frames.write(out, Frames.EXIT, new byte[] {(byte) status}, 0, 1);
        } catch (IOException e) {
            LOG.debug("Shell connection ended: {}", e.getMessage());
        } finally {
            sessions.release();
        }
    }

    private int run(String command, Path directory, DataInputStream in, DataOutputStream out) {
        PrintStream stdout = new PrintStream(new FrameStream(out, Frames.OUT), true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(new FrameStream(out, Frames.ERR), true, StandardCharsets.UTF_8);
        String name = command.strip().split("\\s+", 2)[0];
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), stdout, stderr)) {
            if (directory != null) {
                session.currentDir(directory);
            }
            session.put(SecretSource.VARIABLE, (SecretSource) prompt -> askClient(prompt, in, out));
            Object result = session.execute(command);
            if (result != null) {
                stdout.println(session.format(result, Converter.INSPECT));
            }
            LOG.info("Shell command {} done", name);
            return 0;
        } catch (CommandFailure e) {
            stderr.println(e.getMessage());
            LOG.info("Shell command {} failed: {}", name, firstLine(e.getMessage()));
            return e.status();
        } catch (Exception e) {
            stderr.println("Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            LOG.info("Shell command {} failed: {}", name, e.toString());
            return Frames.FAILED;
        } finally {
            stdout.flush();
            stderr.flush();
        }
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    private static char[] askClient(String prompt, DataInputStream in, DataOutputStream out) throws IOException {
        Frames.write(out, Frames.SECRET_PROMPT, prompt);
        Frames.Frame answer = Frames.read(in);
        if (answer == null || answer.type() != Frames.SECRET) {
            return new char[0];
        }
        return SecretSource.decode(answer.payload(), answer.payload().length);
    }

    /** Output of a command as frames of one type; the data stream is shared, hence the lock on it. */
    private static final class FrameStream extends OutputStream {
        private final DataOutputStream out;
        private final byte type;

        FrameStream(DataOutputStream out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            synchronized (out) {
                Frames.write(out, type, bytes, offset, length);
            }
        }
    }
}
