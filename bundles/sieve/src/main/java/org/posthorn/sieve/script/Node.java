package org.posthorn.sieve.script;

import java.util.List;

/** The parsed form of a script (RFC 5228 §8.2): commands with arguments, tests and blocks. */
public final class Node {

    private Node() {
    }

    /** An argument: a tag ({@code :is}), a number, or a string list (a single string is a list of one). */
    public sealed interface Argument permits Tag, Number, Strings {
        int line();
    }

    public record Tag(String name, int line) implements Argument {
    }

    public record Number(long value, int line) implements Argument {
    }

    /** @param single true for one string written without brackets */
    public record Strings(List<String> values, boolean single, int line) implements Argument {
    }

    /** A test: its name in lower case, its arguments and any nested tests (for not, anyof, allof). */
    public record Test(String name, List<Argument> arguments, List<Test> tests, int line) {
    }

    /** A command: its name in lower case, its arguments, its tests (for if/elsif) and its block (or null). */
    public record Command(String name, List<Argument> arguments, List<Test> tests, List<Command> block, int line) {
    }
}
