package org.posthorn.shell;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.db.DerbyDatabase;
import org.posthorn.db.SqlSchemaMigrator;
import org.posthorn.net.ProtocolServer;
import org.posthorn.security.password.Argon2PasswordHasher;
import org.posthorn.shell.command.AdminCommand;
import org.posthorn.shell.command.CommandFailure;
import org.posthorn.shell.command.Services;
import org.posthorn.store.DerbyMailboxStore;
import org.posthorn.store.StoreSettings;
import org.posthorn.store.user.DerbyUserDirectory;

/**
 * A real Gogo command processor with the {@code posthorn:*} commands, on the real mailbox store
 * and user directory in an embedded Derby under a temporary folder. There is no queue and no TLS
 * material: those commands answer that the service is not available.
 */
final class ShellFixture implements Services, AutoCloseable {

    final DerbyDatabase db;
    final DerbyMailboxStore store;
    final DerbyUserDirectory directory;
    final CommandProcessorImpl processor;
    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final Path data;

    ShellFixture(Path folder) throws Exception {
        data = folder.resolve("data");
        db = new DerbyDatabase(folder.resolve("derby"), 200);
        SqlSchemaMigrator migrator = new SqlSchemaMigrator(db);
        store = new DerbyMailboxStore(StoreSettings.DEFAULTS, db, migrator);
        directory = new DerbyUserDirectory(StoreSettings.DEFAULTS, db, migrator, new Argon2PasswordHasher(new CheapArgon2()));
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        for (AdminCommand command : AdminCommand.all(this)) {
            processor.addCommand(AdminCommand.SCOPE, command, command.name());
        }
    }

    /** What a command line printed, or the failure it ended with. */
    record Result(String output, CommandFailure failure) {
        int status() {
            return failure == null ? 0 : failure.status();
        }
    }

    Result run(String commandLine) throws Exception {
        return run(commandLine, "");
    }

    /** Runs a command line in a new session whose input is {@code input}. */
    Result run(String commandLine, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, out)) {
            session.currentDir(data.getParent());
            session.execute(commandLine);
            return new Result(out.toString(StandardCharsets.UTF_8), null);
        } catch (CommandFailure e) {
            return new Result(out.toString(StandardCharsets.UTF_8), e);
        }
    }

    @Override
    public void close() {
        processor.stop();
        threadIo.stop();
        store.close();
        db.close();
    }

    @Override
    public UserAdmin users() {
        return directory;
    }

    @Override
    public QueueAdmin queue() throws CommandFailure {
        throw Services.unavailable("The mail queue", "org.posthorn.queue");
    }

    @Override
    public MailboxStore store() {
        return store;
    }

    @Override
    public TlsMaterial tls() throws CommandFailure {
        throw Services.unavailable("The TLS material", "org.posthorn.security");
    }

    @Override
    public Optional<Map<String, Object>> configuration(String pid) {
        return Optional.empty();
    }

    @Override
    public void reapply(String pid) {
    }

    @Override
    public List<ProtocolServer> servers() {
        return ProtocolServer.running();
    }

    @Override
    public List<BundleState> bundles() {
        return List.of(new BundleState("org.posthorn.shell", "0.1.0", "active"));
    }

    @Override
    public Path dataFolder() {
        return data;
    }

    /** Argon2id at its lowest cost, so tests that set passwords stay fast. */
    private static final class CheapArgon2 implements Argon2PasswordHasher.Config {
        @Override
        public int argon2_memory_kib() {
            return 64;
        }

        @Override
        public int argon2_iterations() {
            return 1;
        }

        @Override
        public int argon2_parallelism() {
            return 1;
        }

        @Override
        public long login_cache_ttl_seconds() {
            return 3600;
        }

        @Override
        public int login_cache_size() {
            return 10000;
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return Argon2PasswordHasher.Config.class;
        }
    }
}
