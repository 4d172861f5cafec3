package org.posthorn.sieve.script;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A message for script tests: its text with CRLF line endings, and an envelope. */
public record TestMessage(String text, String envelopeFrom, String envelopeTo) implements SieveMail {

    public static TestMessage of(String text) {
        return new TestMessage(text.replace("\r\n", "\n").replace("\n", "\r\n"), "sender@example.net",
                "me@example.com");
    }

    public TestMessage from(String sender) {
        return new TestMessage(text, sender, envelopeTo);
    }

    @Override
    public List<String> header(String name) {
        List<String> values = new ArrayList<>();
        String header = text.split("\r\n\r\n", 2)[0].replaceAll("\r\n[ \t]+", " ");
        for (String line : header.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).strip());
            }
        }
        return values;
    }

    @Override
    public long size() {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
