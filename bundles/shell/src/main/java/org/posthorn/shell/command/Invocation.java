package org.posthorn.shell.command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.service.command.CommandSession;

/** One run of a command: its parsed arguments, where it writes, and how it asks for a password. */
public final class Invocation {

    /** Gogo's console session keeps its JLine LineReader here. */
    private static final String CONSOLE_READER = ".reader";

    private final CommandSession session;
    private final List<String> arguments;
    private final Map<String, String> options;
    private final PrintStream out;

    Invocation(CommandSession session, List<String> arguments, Map<String, String> options, PrintStream out) {
        this.session = session;
        this.arguments = List.copyOf(arguments);
        this.options = Map.copyOf(options);
        this.out = out;
    }

    public PrintStream out() {
        return out;
    }

    /** The positional argument at {@code index}, which the command requires. */
    public String argument(int index) {
        return arguments.get(index);
    }

    public Optional<String> optionalArgument(int index) {
        return index < arguments.size() ? Optional.of(arguments.get(index)) : Optional.empty();
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** A file named on the command line: relative to the directory the admin ran the shell in. */
    public Path file(String name) {
        Path path = Path.of(name);
        return session == null || path.isAbsolute() ? path : session.currentDir().resolve(path);
    }

    /** A byte count with an optional k, M, G or T suffix (powers of 1024), or 0 for none. */
    public Optional<Long> size(String option) throws CommandFailure {
        Optional<String> text = option(option);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String value = text.get().strip().toUpperCase(Locale.ROOT);
        int shift = value.isEmpty() ? -1 : "KMGT".indexOf(value.charAt(value.length() - 1));
        String digits = shift < 0 ? value : value.substring(0, value.length() - 1);
        try {
            long number = Long.parseLong(digits);
            if (number < 0) {
                throw new NumberFormatException();
            }
            return Optional.of(shift < 0 ? number : Math.multiplyExact(number, 1L << (10 * (shift + 1))));
        } catch (NumberFormatException | ArithmeticException e) {
            throw CommandFailure.usage(option + ": not a size: " + text.get() + " (a number, optionally with k, M, G or T)");
        }
    }

    /** A whole number of at least 0. */
    public Optional<Long> count(String option) throws CommandFailure {
        Optional<String> text = option(option);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            long number = Long.parseLong(text.get().strip());
            if (number < 0) {
                throw new NumberFormatException();
            }
            return Optional.of(number);
        } catch (NumberFormatException e) {
            throw CommandFailure.usage(option + ": not a number: " + text.get());
        }
    }

    /**
     * A password typed by the admin: without echo through the shell socket's client or Gogo's
     * console, else one line of the command's input (a pipe, or a program's session). Never
     * part of the command line, so never in a shell history.
     */
    public char[] secret(String prompt) throws Exception {
        char[] secret;
        if (session != null && session.get(SecretSource.VARIABLE) instanceof SecretSource source) {
            secret = source.read(prompt);
        } else if (session != null && session.get(CONSOLE_READER) != null) {
            secret = readMasked(session.get(CONSOLE_READER), prompt);
        } else {
            secret = readLine(System.in);
        }
        if (secret == null || secret.length == 0) {
            throw new CommandFailure("no password given");
        }
        return secret;
    }

    /**
     * {@code LineReader.readLine(prompt, mask)} with the mask that echoes nothing; JLine keeps
     * masked lines out of its history. Called reflectively so the bundle does not depend on JLine.
     */
    private static char[] readMasked(Object lineReader, String prompt) throws Exception {
        Object line = lineReader.getClass().getMethod("readLine", String.class, Character.class)
                .invoke(lineReader, prompt, Character.valueOf('\0'));
        return line == null ? null : line.toString().toCharArray();
    }

    /** One line without its line ending, read byte by byte so nothing after it is consumed. */
    private static char[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return SecretSource.decode(bytes, length);
    }
}
