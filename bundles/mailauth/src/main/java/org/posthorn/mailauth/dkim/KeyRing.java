package org.posthorn.mailauth.dkim;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys per domain: every {@code <directory>/<domain>/<selector>.pem}, plus keys
 * configured with explicit paths. A domain's folder is read again when its modification time
 * changes, so a key added (by {@code posthorn:dkim-keygen} or by hand) is used from the next
 * message on without a restart. Thread-safe.
 */
public final class KeyRing {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
    /** A selector is a DNS label, or several (RFC 6376 §3.1). */
    public static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*");

    private record Loaded(FileTime modified, List<DkimKey> keys) {
    }

    private final Path directory;
    private final Map<String, List<DkimKey>> configured;
    private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

    /**
     * @param directory  where {@code <domain>/<selector>.pem} files are looked for
     * @param configured keys given with explicit paths, by domain; they replace the folder's keys
     */
    public KeyRing(Path directory, Map<String, List<DkimKey>> configured) {
        this.directory = directory;
        this.configured = Map.copyOf(configured);
    }

    /** The file a domain's key with this selector has in the folder. */
    public Path file(String domain, String selector) {
        return directory.resolve(domain).resolve(selector + ".pem");
    }

    /** The keys to sign a domain's mail with, in selector order; empty if it has none. */
    public List<DkimKey> keys(String domain) {
        List<DkimKey> given = configured.get(domain);
        if (given != null) {
            return given;
        }
        Path folder = directory.resolve(domain);
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(folder);
        } catch (IOException e) {
            cache.remove(domain);
            return List.of();
        }
        Loaded loaded = cache.get(domain);
        if (loaded == null || !loaded.modified().equals(modified)) {
            loaded = new Loaded(modified, load(domain, folder));
            cache.put(domain, loaded);
        }
        return loaded.keys();
    }

    private static List<DkimKey> load(String domain, Path folder) {
        List<DkimKey> keys = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.pem")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String selector = name.substring(0, name.length() - ".pem".length());
                if (!SELECTOR.matcher(selector).matches()) {
                    LOG.warn("DKIM key {} ignored: {} is not a valid selector", file, selector);
                    continue;
                }
                try {
                    keys.add(new DkimKey(domain, selector, DkimKeys.readPrivateKey(file)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("DKIM key {} cannot be used: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("DKIM keys of {} cannot be read: {}", domain, e.getMessage());
        }
        keys.sort(Comparator.comparing(DkimKey::selector));
        if (!keys.isEmpty()) {
            LOG.info("DKIM: signing mail from {} with {}", domain,
                    keys.stream().map(k -> k.selector() + " (" + k.algorithm().tag() + ")").toList());
        }
        return List.copyOf(keys);
    }
}
