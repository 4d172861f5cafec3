package org.posthorn.shell.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleException;
import org.posthorn.api.queue.QueueException;
import org.posthorn.api.store.StoreException;
import org.posthorn.api.user.UserAdminException;

/**
 * One command of scope {@code posthorn}, registered with Gogo as a {@link Function} service. It
 * parses its arguments itself, so every command answers {@code --help} with the same kind of
 * usage text and refuses unknown options with it.
 */
public final class AdminCommand implements Function {

    public static final String SCOPE = "posthorn";
    private static final Option HELP = Option.flag("--help", "show this text");

    /** What a command does with its parsed arguments. */
    @FunctionalInterface
    public interface Body {
        void run(Invocation call) throws Exception;
    }

    private final String name;
    private final String arguments;
    private final String description;
    private final List<Option> options;
    private final int minArguments;
    private final int maxArguments;
    private final Body body;

    /**
     * @param arguments    the positional arguments in the usage text, e.g. {@code "ADDRESS [TARGET]"}
     * @param minArguments how many positional arguments must be given
     * @param maxArguments how many may be given
     */
    public AdminCommand(String name, String arguments, String description, List<Option> options,
                        int minArguments, int maxArguments, Body body) {
        this.name = name;
        this.arguments = arguments;
        this.description = description;
        this.options = Stream.concat(options.stream(), Stream.of(HELP)).toList();
        this.minArguments = minArguments;
        this.maxArguments = maxArguments;
        this.body = body;
    }

    public String name() {
        return name;
    }

    /** The first sentence of the description: {@code help} lists it. */
    public String summary() {
        int end = description.indexOf(". ");
        return end < 0 ? description : description.substring(0, end + 1);
    }

    /** The service properties that make Gogo offer this command as {@code posthorn:<name>}. */
    public Map<String, Object> serviceProperties() {
        return Map.of("osgi.command.scope", SCOPE, "osgi.command.function", new String[] {name});
    }

    public String usage() {
        StringBuilder text = new StringBuilder("usage: ").append(SCOPE).append(':').append(name);
        if (!arguments.isEmpty()) {
            text.append(' ').append(arguments);
        }
        text.append(" [options]\n").append(description).append('\n');
        int width = options.stream().mapToInt(o -> label(o).length()).max().orElse(0);
        for (Option option : options) {
            text.append(String.format("  %-" + width + "s  %s%n", label(option), option.help()));
        }
        return text.toString();
    }

    private static String label(Option option) {
        return option.takesValue() ? option.name() + " " + option.value() : option.name();
    }

    /**
     * Runs the command on Gogo's current streams ({@code System.out} is the session's output, or
     * the next command's input in a pipe, for the thread that runs a command).
     */
    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        run(session, arguments.stream().map(String::valueOf).toList(), System.out);
        return null;
    }

    void run(CommandSession session, List<String> words, PrintStream out) throws Exception {
        Invocation call = parse(session, words, out);
        if (call.flag("--help")) {
            out.print(usage());
            return;
        }
        try {
            body.run(call);
        } catch (UserAdminException | QueueException | StoreException | BundleException e) {
            // the services' own messages say what was wrong ("no account bob@example.org")
            throw new CommandFailure(e.getMessage());
        }
    }

    /** Every command, on these services. */
    public static List<AdminCommand> all(Services services) {
        return Stream.of(new UserCommands(services).commands(), new QueueCommands(services).commands(),
                new StatusCommands(services).commands()).flatMap(List::stream).toList();
    }

    private Invocation parse(CommandSession session, List<String> words, PrintStream out) throws CommandFailure {
        List<String> positional = new ArrayList<>();
        Map<String, String> given = new HashMap<>();
        boolean optionsEnd = false;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (optionsEnd || !word.startsWith("--")) {
                positional.add(word);
                continue;
            }
            if (word.equals("--")) {
                optionsEnd = true;
                continue;
            }
            int equals = word.indexOf('=');
            String optionName = equals < 0 ? word : word.substring(0, equals);
            Option option = options.stream().filter(o -> o.name().equals(optionName)).findFirst()
                    .orElseThrow(() -> usageError("unknown option " + optionName));
            String value = "";
            if (option.takesValue()) {
                if (equals >= 0) {
                    value = word.substring(equals + 1);
                } else if (i + 1 < words.size()) {
                    value = words.get(++i);
                } else {
                    throw usageError(optionName + " needs a value (" + option.value() + ")");
                }
            } else if (equals >= 0) {
                throw usageError(optionName + " takes no value");
            }
            given.put(optionName, value);
        }
        if (!given.containsKey("--help") && (positional.size() < minArguments || positional.size() > maxArguments)) {
            throw usageError(positional.size() < minArguments ? "missing arguments" : "too many arguments");
        }
        return new Invocation(session, positional, given, out);
    }

    private CommandFailure usageError(String problem) {
        return CommandFailure.usage(SCOPE + ":" + name + ": " + problem + "\n" + usage());
    }
}
