package org.posthorn.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.inject.Inject;
import javax.sql.DataSource;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.util.tracker.ServiceTracker;

/** The shipped bundle set in a real Felix: it starts, the database works and survives its bundle's restart. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FoundationIT {

    private static final long WAIT_SECONDS = 30;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] config() {
        return PosthornDistribution.create("foundation").options();
    }

    @Test
    public void everyShippedBundleIsActive() {
        Path system = Path.of(context.getProperty("posthorn.home"), "system");
        List<String> shipped = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith(system.toUri().toString())) {
                shipped.add(b.getSymbolicName());
                assertEquals(b.getSymbolicName() + " is ACTIVE", Bundle.ACTIVE, b.getState());
            }
        }
        assertEquals("every jar in system/ is installed", count(system), shipped.size());
        assertTrue(shipped.contains("org.posthorn.api"));
        assertTrue(shipped.contains("org.posthorn.db"));
    }

    @Test
    public void dataSourceIsRegisteredAndUsable() throws Exception {
        DataSource ds = awaitDataSource();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE usable (v VARCHAR(10))");
            s.execute("INSERT INTO usable VALUES ('yes')");
            try (ResultSet rs = s.executeQuery("SELECT v FROM usable")) {
                assertTrue(rs.next());
                assertEquals("yes", rs.getString(1));
            }
        }
        assertTrue("the database lives in the data folder",
                Files.isDirectory(Path.of(context.getProperty("posthorn.data"), "derby")));
    }

    @Test
    public void stoppingAndStartingTheDatabaseBundleKeepsDataAndLeavesNoLock() throws Exception {
        try (Connection c = awaitDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v VARCHAR(10))");
            s.execute("INSERT INTO kept VALUES ('before')");
        }
        Bundle db = bundle("org.posthorn.db");
        db.stop();
        assertNull("no DataSource while the bundle is stopped", context.getServiceReference(DataSource.class));
        assertFalse("Derby removed its lock", Files.exists(Path.of(context.getProperty("posthorn.data"), "derby", "db.lck")));

        db.start();
        try (Connection c = awaitDataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertTrue(rs.next());
            assertEquals("before", rs.getString(1));
        }
    }

    @Test
    public void configurationFilesInConfAreAppliedLive() throws Exception {
        Dictionary<String, Object> props = configurationAdmin.getConfiguration("org.posthorn.db", "?").getProperties();
        assertNotNull("conf/org.posthorn.db.cfg was applied", props);
        assertEquals("derby", props.get("directory"));

        CountDownLatch updated = new CountDownLatch(1);
        ConfigurationListener listener = event -> {
            if ("org.posthorn.db".equals(event.getPid()) && event.getType() == ConfigurationEvent.CM_UPDATED) {
                updated.countDown();
            }
        };
        var registration = context.registerService(ConfigurationListener.class, listener, null);
        try {
            Path cfg = Path.of(context.getProperty("posthorn.conf"), "org.posthorn.db.cfg");
            Files.writeString(cfg, Files.readString(cfg).replace("page.cache.size=4000", "page.cache.size=5000"));
            assertTrue("FileInstall applied the edit", updated.await(WAIT_SECONDS, TimeUnit.SECONDS));
        } finally {
            registration.unregister();
        }
        Object size = configurationAdmin.getConfiguration("org.posthorn.db", "?").getProperties().get("page.cache.size");
        assertEquals("5000", String.valueOf(size));
        // the component restarts with the new configuration, which its service properties carry
        assertNotNull("the database came back with the new configuration", awaitDataSource("(page.cache.size=5000)"));
        assertEquals("and Derby was booted with it", "5000", System.getProperty("derby.storage.pageCacheSize"));
        assertEquals("the shipped log buffer applies", "1048576", System.getProperty("derby.storage.logBufferSize"));
    }

    @Test
    public void aBundleDroppedIntoDeployStartsAndIsUninstalledWhenDeleted() throws Exception {
        String name = "org.posthorn.itests.dropped";
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch uninstalled = new CountDownLatch(1);
        BundleListener listener = event -> {
            if (name.equals(event.getBundle().getSymbolicName())) {
                if (event.getType() == BundleEvent.STARTED) {
                    started.countDown();
                } else if (event.getType() == BundleEvent.UNINSTALLED) {
                    uninstalled.countDown();
                }
            }
        };
        context.addBundleListener(listener);
        try {
            Path deploy = Path.of(context.getProperty("posthorn.deploy"));
            Path jar = deploy.resolve("dropped.jar");
            Path staging = Files.createTempFile(deploy.getParent(), "dropped", ".tmp");
            writeEmptyBundle(staging, name);
            Files.move(staging, jar, StandardCopyOption.ATOMIC_MOVE);

            assertTrue("the dropped bundle was started", started.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(Bundle.ACTIVE, bundle(name).getState());

            Files.delete(jar);
            assertTrue("the deleted bundle was uninstalled", uninstalled.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertNull(findBundle(name));
        } finally {
            context.removeBundleListener(listener);
        }
    }

    private DataSource awaitDataSource() throws Exception {
        return awaitDataSource(null);
    }

    private DataSource awaitDataSource(String filter) throws Exception {
        String objectClass = "(objectClass=" + DataSource.class.getName() + ")";
        ServiceTracker<DataSource, DataSource> tracker = new ServiceTracker<>(context,
                context.createFilter(filter == null ? objectClass : "(&" + objectClass + filter + ")"), null);
        tracker.open();
        try {
            DataSource ds = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertNotNull("DataSource service registered", ds);
            return ds;
        } finally {
            tracker.close();
        }
    }

    private Bundle bundle(String symbolicName) {
        Bundle b = findBundle(symbolicName);
        assertNotNull(symbolicName + " is installed", b);
        return b;
    }

    private Bundle findBundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static long count(Path folder) {
        try (var files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(".jar")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeEmptyBundle(Path file, String symbolicName) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
    }
}
