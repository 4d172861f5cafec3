package org.posthorn.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * The Pax Exam configuration of a Posthorn instance: every bundle the distribution ships in
 * {@code system/} (which the build assembled from features.xml), its framework properties from
 * {@code conf/felix.properties}, and a private copy of its {@code conf/} and folders, so each
 * test class starts from the shipped state.
 */
public final class PosthornDistribution {

    /** Framework properties Pax Exam manages itself. */
    private static final List<String> MANAGED_BY_PAX_EXAM = List.of(
            "org.osgi.framework.storage", "org.osgi.framework.storage.clean",
            "felix.auto.deploy.dir", "felix.auto.deploy.action");
    private static final String SYSTEM_PACKAGES_EXTRA = "org.osgi.framework.system.packages.extra";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(posthorn\\.[a-z]+)}");

    private final Path home;
    private final Path root;

    private PosthornDistribution(Path home, Path root) {
        this.home = home;
        this.root = root;
    }

    /** A fresh instance under {@code target/instances/<name>}, with conf/ copied from the distribution. */
    public static PosthornDistribution create(String name) {
        Path home = Path.of(System.getProperty("posthorn.distribution", "../distribution/target/posthorn"))
                .toAbsolutePath().normalize();
        if (!Files.isDirectory(home.resolve("system"))) {
            throw new IllegalStateException("no distribution at " + home + "; build it with mvn package first");
        }
        Path root = Path.of("target", "instances", name).toAbsolutePath();
        try {
            deleteTree(root);
            Files.createDirectories(root.resolve("deploy"));
            copyTree(home.resolve("conf"), root.resolve("conf"));
            confineListeners(root.resolve("conf"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PosthornDistribution(home, root);
    }

    public Path conf() {
        return root.resolve("conf");
    }

    public Path deploy() {
        return root.resolve("deploy");
    }

    public Path data() {
        return root.resolve("data");
    }

    public Path log() {
        return root.resolve("log");
    }

    /** The Pax Exam options that boot this instance, plus {@code extra}. */
    public Option[] options(Option... extra) {
        Map<String, String> folders = Map.of(
                "posthorn.home", home.toString(),
                "posthorn.conf", conf().toString(),
                "posthorn.deploy", deploy().toString(),
                "posthorn.data", data().toString(),
                "posthorn.log", log().toString(),
                "posthorn.cache", root.resolve("cache").toString());
        List<Option> options = new ArrayList<>();
        folders.forEach((key, value) -> {
            options.add(frameworkProperty(key).value(value));
            options.add(systemProperty(key).value(value));
        });
        for (Map.Entry<Object, Object> e : felixProperties().entrySet()) {
            String key = (String) e.getKey();
            String value = substitute((String) e.getValue(), folders);
            if (SYSTEM_PACKAGES_EXTRA.equals(key)) {
                // Pax Exam adds its own packages to this property; it merges ours given as options.
                for (String exported : value.split(",")) {
                    options.add(systemPackage(exported.strip()));
                }
            } else if (!MANAGED_BY_PAX_EXAM.contains(key)) {
                options.add(frameworkProperty(key).value(value));
            }
        }
        // as bin/posthorn --no-console: the shell must not read the test JVM's stdin (Surefire's channel)
        options.add(frameworkProperty("gosh.args").value("--login --nointeractive"));
        options.add(frameworkProperty("gosh.home").value(home.toString()));
        options.add(systemProperty("org.jline.terminal.dumb").value("true"));
        for (Path jar : shippedBundles()) {
            options.add(bundle(jar.toUri().toString()));
        }
        options.add(junitBundles());
        options.add(cleanCaches());
        options.addAll(List.of(extra));
        return options.toArray(Option[]::new);
    }

    /** The bundle jars of the distribution, in name order. */
    public List<Path> shippedBundles() {
        try (Stream<Path> jars = Files.list(home.resolve("system"))) {
            return jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Properties felixProperties() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("conf/felix.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static String substitute(String value, Map<String, String> folders) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(folders.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(sb).toString();
    }

    /**
     * Test instances listen on the loopback address only, on ports the system chooses, whatever
     * the shipped configuration says (IMAP: 143 and 993 on every address): in every {@code .cfg},
     * {@code bind.address} becomes {@code 127.0.0.1} and each {@code *.port} that is not turned
     * off ({@code -1}) becomes {@code 0}. A test that talks to a protocol writes that protocol's
     * file itself, with ports it picked.
     */
    static void confineListeners(Path conf) throws IOException {
        try (Stream<Path> files = Files.list(conf)) {
            for (Path cfg : files.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                List<String> lines = Files.readAllLines(cfg);
                List<String> confined = lines.stream().map(PosthornDistribution::confine).toList();
                if (!confined.equals(lines)) {
                    Files.write(cfg, confined);
                }
            }
        }
    }

    private static String confine(String line) {
        int equals = line.indexOf('=');
        String key = equals < 0 || line.startsWith("#") ? "" : line.substring(0, equals).strip();
        if (key.equals("bind.address")) {
            return "bind.address=127.0.0.1";
        }
        if (key.endsWith(".port") && !line.substring(equals + 1).strip().equals("-1")) {
            return key + "=0";
        }
        return line;
    }


    /** A TCP port nothing listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
