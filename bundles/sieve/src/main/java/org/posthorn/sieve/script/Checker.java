package org.posthorn.sieve.script;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a parsed script before it is stored or run: every command and test known, its
 * extension required, its tags and arguments right (RFC 5228 §2.10.6: such errors are found
 * before the script runs, and ManageSieve reports them at PUTSCRIPT).
 */
final class Checker {

    /** What the arguments of a command or test must be. */
    private enum Kind { STRING, STRINGS, NUMBER }

    /** Tags of which at most one may be given. */
    private static final List<Set<String>> EXCLUSIVE = List.of(Set.of("is", "contains", "matches"),
            Set.of("all", "localpart", "domain"), Set.of("raw", "text", "content"), Set.of("over", "under"));

    private static final Set<String> MATCH = Set.of("comparator", "is", "contains", "matches");
    private static final Set<String> ADDRESS_MATCH = union(MATCH, Set.of("all", "localpart", "domain"));

    /**
     * @param extension the capability to "require" first, or null for the base language
     * @param tests     0: no test, 1: exactly one, -1: a list of one or more
     */
    private record Spec(String extension, Set<String> tags, List<Kind> positional, int tests, boolean block) {
    }

    private static final Map<String, Spec> COMMANDS = Map.ofEntries(
            Map.entry("require", new Spec(null, Set.of(), List.of(Kind.STRINGS), 0, false)),
            Map.entry("if", new Spec(null, Set.of(), List.of(), 1, true)),
            Map.entry("elsif", new Spec(null, Set.of(), List.of(), 1, true)),
            Map.entry("else", new Spec(null, Set.of(), List.of(), 0, true)),
            Map.entry("stop", new Spec(null, Set.of(), List.of(), 0, false)),
            Map.entry("keep", new Spec(null, Set.of("flags"), List.of(), 0, false)),
            Map.entry("discard", new Spec(null, Set.of(), List.of(), 0, false)),
            Map.entry("redirect", new Spec(null, Set.of("copy"), List.of(Kind.STRING), 0, false)),
            Map.entry("fileinto", new Spec("fileinto", Set.of("copy", "flags"), List.of(Kind.STRING), 0, false)),
            Map.entry("reject", new Spec("reject", Set.of(), List.of(Kind.STRING), 0, false)),
            Map.entry("vacation", new Spec("vacation", Set.of("days", "subject", "from", "addresses", "mime", "handle"),
                    List.of(Kind.STRING), 0, false)),
            Map.entry("setflag", new Spec("imap4flags", Set.of(), List.of(Kind.STRINGS), 0, false)),
            Map.entry("addflag", new Spec("imap4flags", Set.of(), List.of(Kind.STRINGS), 0, false)),
            Map.entry("removeflag", new Spec("imap4flags", Set.of(), List.of(Kind.STRINGS), 0, false)));

    private static final Map<String, Spec> TESTS = Map.ofEntries(
            Map.entry("address", new Spec(null, ADDRESS_MATCH, List.of(Kind.STRINGS, Kind.STRINGS), 0, false)),
            Map.entry("envelope", new Spec("envelope", ADDRESS_MATCH, List.of(Kind.STRINGS, Kind.STRINGS), 0, false)),
            Map.entry("header", new Spec(null, MATCH, List.of(Kind.STRINGS, Kind.STRINGS), 0, false)),
            Map.entry("exists", new Spec(null, Set.of(), List.of(Kind.STRINGS), 0, false)),
            Map.entry("size", new Spec(null, Set.of("over", "under"), List.of(), 0, false)),
            Map.entry("not", new Spec(null, Set.of(), List.of(), 1, false)),
            Map.entry("anyof", new Spec(null, Set.of(), List.of(), -1, false)),
            Map.entry("allof", new Spec(null, Set.of(), List.of(), -1, false)),
            Map.entry("true", new Spec(null, Set.of(), List.of(), 0, false)),
            Map.entry("false", new Spec(null, Set.of(), List.of(), 0, false)),
            Map.entry("body", new Spec("body", union(MATCH, Set.of("raw", "text", "content")), List.of(Kind.STRINGS),
                    0, false)),
            Map.entry("hasflag", new Spec("imap4flags", MATCH, List.of(Kind.STRINGS), 0, false)));

    /** The capabilities a script may require; also what ManageSieve announces as SIEVE. */
    static final List<String> EXTENSIONS = List.of("fileinto", "reject", "envelope", "body", "vacation", "imap4flags",
            "copy", "comparator-i;ascii-numeric");

    private static final Set<String> COMPARATORS = Set.of("i;octet", "i;ascii-casemap", "i;ascii-numeric");

    private final Set<String> required = new HashSet<>();

    private Checker() {
    }

    static void check(List<Node.Command> commands) throws ScriptException {
        new Checker().commands(commands, true);
    }

    private void commands(List<Node.Command> commands, boolean topLevel) throws ScriptException {
        boolean requireAllowed = topLevel;
        String previous = null;
        for (Node.Command c : commands) {
            Spec spec = COMMANDS.get(c.name());
            if (spec == null) {
                throw new ScriptException(c.line(), "unknown command " + c.name());
            }
            if (c.name().equals("require") && !requireAllowed) {
                throw new ScriptException(c.line(), "require must come before any other command (RFC 5228 §3.2)");
            }
            requireAllowed &= c.name().equals("require");
            if ((c.name().equals("elsif") || c.name().equals("else"))
                    && !("if".equals(previous) || "elsif".equals(previous))) {
                throw new ScriptException(c.line(), c.name() + " without a preceding if");
            }
            previous = c.name();
            Args args = arguments(c.name(), spec, c.arguments(), c.line());
            tests(c.name(), spec, c.tests(), c.line());
            if (spec.block() != (c.block() != null)) {
                throw new ScriptException(c.line(), spec.block() ? c.name() + " needs a block { ... }"
                        : c.name() + " takes no block; a ';' is missing");
            }
            if (c.name().equals("require")) {
                for (String capability : args.strings(0)) {
                    if (!EXTENSIONS.contains(capability) && !capability.equals("comparator-i;octet")
                            && !capability.equals("comparator-i;ascii-casemap")) {
                        throw new ScriptException(c.line(), "extension " + capability + " is not supported; this server"
                                + " knows " + String.join(", ", EXTENSIONS));
                    }
                    required.add(capability);
                }
            }
            if (c.name().equals("vacation") && args.has("days") && !(args.tags.get("days") instanceof Node.Number)) {
                throw new ScriptException(c.line(), ":days needs a number");
            }
            if (c.block() != null) {
                commands(c.block(), false);
            }
        }
    }

    private void tests(String owner, Spec spec, List<Node.Test> tests, int line) throws ScriptException {
        if (spec.tests() == 0 && !tests.isEmpty()) {
            throw new ScriptException(line, owner + " takes no test");
        }
        if (spec.tests() == 1 && tests.size() != 1) {
            throw new ScriptException(line, owner + " needs exactly one test");
        }
        if (spec.tests() == -1 && tests.isEmpty()) {
            throw new ScriptException(line, owner + " needs a list of tests in ( )");
        }
        for (Node.Test t : tests) {
            Spec testSpec = TESTS.get(t.name());
            if (testSpec == null) {
                throw new ScriptException(t.line(), "unknown test " + t.name());
            }
            if (t.name().equals("size") && !(t.arguments().size() == 2 && t.arguments().get(0) instanceof Node.Tag
                    && t.arguments().get(1) instanceof Node.Number)) {
                throw new ScriptException(t.line(), "size needs :over or :under with a number");
            }
            arguments(t.name(), testSpec, t.arguments(), t.line());
            if (t.name().equals("anyof") || t.name().equals("allof")) {
                if (t.tests().isEmpty()) {
                    throw new ScriptException(t.line(), t.name() + " needs a list of tests in ( )");
                }
                tests(t.name(), new Spec(null, Set.of(), List.of(), -1, false), t.tests(), t.line());
            } else if (t.name().equals("not")) {
                tests(t.name(), new Spec(null, Set.of(), List.of(), 1, false), t.tests(), t.line());
            } else if (!t.tests().isEmpty()) {
                throw new ScriptException(t.line(), t.name() + " takes no nested test");
            }
        }
    }

    private Args arguments(String name, Spec spec, List<Node.Argument> arguments, int line) throws ScriptException {
        if (spec.extension() != null && !required.contains(spec.extension())) {
            throw new ScriptException(line, name + " needs require \"" + spec.extension() + "\"");
        }
        Args args = Args.of(arguments);
        for (Map.Entry<String, Node.Argument> tag : args.tags.entrySet()) {
            if (!spec.tags().contains(tag.getKey())) {
                throw new ScriptException(line, name + " does not take :" + tag.getKey());
            }
            checkTag(name, tag.getKey(), tag.getValue(), line);
        }
        for (Set<String> group : EXCLUSIVE) {
            if (args.tags.keySet().stream().filter(group::contains).count() > 1) {
                throw new ScriptException(line, name + " takes only one of :" + String.join(", :", group));
            }
        }
        if (args.positional.size() != spec.positional().size()) {
            throw new ScriptException(line, name + " needs " + spec.positional().size() + " argument(s), not "
                    + args.positional.size());
        }
        for (int i = 0; i < args.positional.size(); i++) {
            Node.Argument a = args.positional.get(i);
            boolean fits = switch (spec.positional().get(i)) {
                case STRING -> a instanceof Node.Strings s && s.single();
                case STRINGS -> a instanceof Node.Strings;
                case NUMBER -> a instanceof Node.Number;
            };
            if (!fits) {
                throw new ScriptException(a.line(), name + " argument " + (i + 1) + " must be "
                        + switch (spec.positional().get(i)) {
                            case STRING -> "a string";
                            case STRINGS -> "a string or a string list";
                            case NUMBER -> "a number";
                        });
            }
        }
        return args;
    }

    private void checkTag(String name, String tag, Node.Argument value, int line) throws ScriptException {
        switch (tag) {
            case "copy" -> require("copy", name, tag, line);
            case "flags" -> {
                require("imap4flags", name, tag, line);
                if (!(value instanceof Node.Strings)) {
                    throw new ScriptException(line, ":flags needs a string list");
                }
            }
            case "comparator" -> {
                if (!(value instanceof Node.Strings s && s.single())) {
                    throw new ScriptException(line, ":comparator needs a string");
                }
                String comparator = s.values().get(0);
                if (!COMPARATORS.contains(comparator)) {
                    throw new ScriptException(line, "comparator " + comparator + " is not supported");
                }
                if (comparator.equals("i;ascii-numeric")) {
                    require("comparator-i;ascii-numeric", name, tag, line);
                }
            }
            case "subject", "from", "handle" -> {
                if (!(value instanceof Node.Strings s && s.single())) {
                    throw new ScriptException(line, ":" + tag + " needs a string");
                }
            }
            case "addresses", "content" -> {
                if (!(value instanceof Node.Strings)) {
                    throw new ScriptException(line, ":" + tag + " needs a string list");
                }
            }
            default -> {
                // tags without a value, and :days/:over/:under whose numbers are checked by their owners
            }
        }
    }

    private void require(String extension, String name, String tag, int line) throws ScriptException {
        if (!required.contains(extension)) {
            throw new ScriptException(line, name + " :" + tag + " needs require \"" + extension + "\"");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
