package org.posthorn.mailauth;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** How this bundle reads its configuration values (conf/*.cfg gives lists as one comma-separated string). */
final class ConfigValues {

    private ConfigValues() {
    }

    /** The items of a list value: comma-separated and/or several values, blanks dropped. */
    static List<String> list(String[] values) {
        return Arrays.stream(values).flatMap(v -> Arrays.stream(v.split(","))).map(String::strip)
                .filter(v -> !v.isEmpty()).toList();
    }

    /** A path relative to the data folder ({@code posthorn.data}, as bin/posthorn sets it), unless absolute. */
    static Path resolve(String dataFolder, String configured) {
        Path path = Path.of(configured);
        return path.isAbsolute() ? path : Path.of(dataFolder == null || dataFolder.isBlank() ? "data" : dataFolder).resolve(path);
    }
}
