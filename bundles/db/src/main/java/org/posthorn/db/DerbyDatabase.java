package org.posthorn.db;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDriver;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/**
 * Boots embedded Derby on the configured directory and offers it as the {@link DataSource}
 * service. This bundle owns the engine's lifecycle: it boots it on activation and shuts the
 * database and the engine down on deactivation, so no lock is left behind for the next start.
 */
@Component(service = DataSource.class, configurationPid = "org.posthorn.db", immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {"osgi.jdbc.driver.class=org.apache.derby.jdbc.EmbeddedDriver", "dataSourceName=posthorn"})
@Designate(ocd = DerbyDatabase.Config.class)
public final class DerbyDatabase implements DataSource {

    @ObjectClassDefinition(name = "Posthorn database",
            description = "Embedded Apache Derby holding mailboxes, users and the queue index")
    public @interface Config {
        @AttributeDefinition(description = "Database directory; relative paths are under the data directory"
                + " (framework property posthorn.data)")
        String directory() default "derby";

        @AttributeDefinition(description = "Pages (4 KiB and up) Derby keeps in memory; more speeds up large mailboxes")
        int page_cache_size() default 4000;

        @AttributeDefinition(description = "Bytes of Derby's transaction log buffer; large messages are written"
                + " through it page by page, so a bigger buffer speeds up their delivery (Derby's own default: 32768)")
        int log_buffer_size() default 1048576;

        @AttributeDefinition(description = "Most database connections open at once (in use and idle); when all"
                + " are in use a caller waits up to pool.max.wait.seconds for one, then gets an error")
        int pool_max_size() default 100;

        @AttributeDefinition(description = "Connections kept open between uses; opening an embedded Derby connection"
                + " costs about as much as a small query, so the busy ones are reused")
        int pool_max_idle() default 32;

        @AttributeDefinition(description = "Seconds a caller waits for a connection when pool.max.size are in use")
        int pool_max_wait_seconds() default 30;
    }

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(DerbyDatabase.class);
    /** SQLState Derby reports when a database shut down as asked. */
    private static final String DATABASE_SHUT_DOWN = "08006";
    /** SQLState Derby reports when the whole engine shut down as asked. */
    private static final String ENGINE_SHUT_DOWN = "XJ015";

    private final Path directory;
    private final String url;
    private final Driver driver;
    private final ConnectionPool pool;

    @Activate
    public DerbyDatabase(Config config, BundleContext context) throws SQLException {
        this(resolve(context.getProperty("posthorn.data"), config.directory()), config.page_cache_size(),
                config.log_buffer_size(), new ConnectionPool.Limits(config.pool_max_size(), config.pool_max_idle(),
                        Duration.ofSeconds(config.pool_max_wait_seconds())));
    }

    /** Boots the engine with Derby's default log buffer; see {@link #DerbyDatabase(Path, int, int)}. */
    public DerbyDatabase(Path directory, int pageCacheSize) throws SQLException {
        this(directory, pageCacheSize, 32768);
    }

    /** Boots the engine with the default pool limits; see {@link #DerbyDatabase(Path, int, int, ConnectionPool.Limits)}. */
    public DerbyDatabase(Path directory, int pageCacheSize, int logBufferSize) throws SQLException {
        this(directory, pageCacheSize, logBufferSize, ConnectionPool.Limits.DEFAULT);
    }

    /** Boots the engine and opens (creating if needed) the database in {@code directory}. */
    DerbyDatabase(Path directory, int pageCacheSize, int logBufferSize, ConnectionPool.Limits poolLimits)
            throws SQLException {
        this.directory = directory.toAbsolutePath().normalize();
        this.url = "jdbc:derby:" + this.directory.toString().replace(File.separatorChar, '/');
        configureEngine(this.directory, pageCacheSize, logBufferSize);
        this.driver = bootEngine();
        Properties create = new Properties();
        create.setProperty("create", "true");
        try (Connection c = driver.connect(url, create)) {
            LOG.info("Derby database ready at {}", this.directory);
        }
        this.pool = new ConnectionPool(() -> driver.connect(url, new Properties()), poolLimits);
    }

    static Path resolve(String dataDirectory, String configured) {
        Path path = Path.of(configured);
        if (path.isAbsolute()) {
            return path;
        }
        return Path.of(dataDirectory == null || dataDirectory.isBlank() ? "data" : dataDirectory).resolve(path);
    }

    /** The directory holding the database files. */
    public Path directory() {
        return directory;
    }

    /**
     * A pooled connection: closing it returns it to the pool, with its uncommitted work rolled
     * back, its statements closed and autocommit, isolation, holdability, read-only and schema
     * as a new connection has them.
     */
    @Override
    public Connection getConnection() throws SQLException {
        return pool.borrow();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    /**
     * Closes all connections (rolling back those still in use), then shuts the database and the
     * engine down; Derby removes its lock files.
     */
    @Deactivate
    public void close() {
        pool.close();
        shutdown(url + ";shutdown=true", DATABASE_SHUT_DOWN);
        shutdown("jdbc:derby:;shutdown=true", ENGINE_SHUT_DOWN);
        LOG.info("Derby database at {} shut down", directory);
    }

    private void shutdown(String shutdownUrl, String expectedState) {
        try {
            driver.connect(shutdownUrl, new Properties()).close();
            LOG.warn("Derby did not confirm shutdown of {}", shutdownUrl);
        } catch (SQLException e) {
            if (!expectedState.equals(e.getSQLState())) {
                LOG.error("Derby shutdown ({}) failed: {}", shutdownUrl, e.getMessage(), e);
            }
        }
    }

    private static void configureEngine(Path directory, int pageCacheSize, int logBufferSize) {
        // Engine-wide settings are system properties read at boot. This bundle is the only
        // user of the embedded engine, so setting them here is safe; an admin's -D wins.
        setUnlessGivenByAdmin("derby.storage.pageCacheSize", Integer.toString(pageCacheSize));
        setUnlessGivenByAdmin("derby.storage.logBufferSize", Integer.toString(logBufferSize));
        System.getProperties().putIfAbsent("derby.infolog.append", "true");
        String logDir = System.getProperty("posthorn.log");
        Path errorLog = logDir != null ? Path.of(logDir, "derby.log") : directory.resolveSibling("derby.log");
        System.getProperties().putIfAbsent("derby.stream.error.file", errorLog.toString());
        try {
            Files.createDirectories(errorLog.getParent());
        } catch (java.io.IOException e) {
            LOG.warn("Cannot create the folder for {}: {}", errorLog, e.getMessage());
        }
    }

    /**
     * Sets a Derby system property from the configuration, unless the admin gave it with -D.
     * A marker property remembers the value this bundle set, so a changed configuration
     * replaces it at the next boot while the admin's own value is never touched.
     */
    static void setUnlessGivenByAdmin(String key, String value) {
        String marker = "posthorn.db.configured." + key;
        String current = System.getProperty(key);
        if (current == null || current.equals(System.getProperty(marker))) {
            System.setProperty(key, value);
            System.setProperty(marker, value);
        } else {
            LOG.info("{}={} given on the command line takes precedence over the configuration", key, current);
        }
    }

    private static Driver bootEngine() {
        // Derby finds its modules through the context class loader; in OSGi that must be
        // this bundle's loader, which holds the embedded Derby jars.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(DerbyDatabase.class.getClassLoader());
        try {
            // Creating the driver (re)boots the engine, also after an earlier engine shutdown.
            return new EmbeddedDriver();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Derby logs to its own error stream (derby.stream.error.file).
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // Embedded connections do not wait for a login.
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Derby logs through derby.stream.error.file");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
