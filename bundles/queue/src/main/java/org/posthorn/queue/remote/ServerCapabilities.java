package org.posthorn.queue.remote;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1): keyword
 * and parameters per line after the first, keywords case-insensitive. After HELO there are none.
 */
final class ServerCapabilities {

    static final ServerCapabilities NONE = new ServerCapabilities(Map.of());

    private final Map<String, List<String>> extensions;

    private ServerCapabilities(Map<String, List<String>> extensions) {
        this.extensions = extensions;
    }

    /** Parses an EHLO reply; its first line is the greeting, not an extension. */
    static ServerCapabilities fromEhlo(SmtpReply reply) {
        Map<String, List<String>> extensions = new HashMap<>();
        for (String line : reply.lines().subList(1, reply.lines().size())) {
            String[] words = line.trim().split("\\s+");
            if (!words[0].isEmpty()) {
                extensions.put(words[0].toUpperCase(Locale.ROOT), List.of(Arrays.copyOfRange(words, 1, words.length)));
            }
        }
        return new ServerCapabilities(Map.copyOf(extensions));
    }

    boolean has(String keyword) {
        return extensions.containsKey(keyword);
    }

    /**
     * RFC 1870 §4: the fixed message size limit, or 0 if the server declared none (SIZE
     * without a number, or SIZE 0) or did not offer SIZE at all.
     */
    long sizeLimit() {
        List<String> params = extensions.get("SIZE");
        if (params == null || params.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(params.get(0)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The SASL mechanisms offered by AUTH (RFC 4954), upper case. */
    Set<String> authMechanisms() {
        return extensions.getOrDefault("AUTH", List.of()).stream()
                .map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String toString() {
        return String.join(" ", extensions.keySet());
    }
}
