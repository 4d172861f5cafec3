package org.posthorn.sieve.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.posthorn.sieve.script.Lexer.Kind;
import org.posthorn.sieve.script.Lexer.Token;

/** The grammar of RFC 5228 §8.2, turning tokens into {@link Node} commands. */
final class Parser {

    /** Blocks nested deeper than this are refused, so a hostile script cannot exhaust the stack. */
    static final int MAX_NESTING = 32;

    private final List<Token> tokens;
    private int at;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node.Command> parse(String script) throws ScriptException {
        Parser parser = new Parser(Lexer.tokens(script));
        List<Node.Command> commands = parser.commands(0);
        Token end = parser.peek();
        if (end.kind() != Kind.END) {
            throw new ScriptException(end.line(), "unexpected " + describe(end));
        }
        return commands;
    }

    private List<Node.Command> commands(int depth) throws ScriptException {
        if (depth > MAX_NESTING) {
            throw new ScriptException(peek().line(), "blocks nested more than " + MAX_NESTING + " deep");
        }
        List<Node.Command> commands = new ArrayList<>();
        while (peek().kind() == Kind.IDENTIFIER) {
            commands.add(command(depth));
        }
        return commands;
    }

    private Node.Command command(int depth) throws ScriptException {
        Token name = take();
        List<Node.Argument> arguments = arguments();
        List<Node.Test> tests = new ArrayList<>();
        if (peek().is("(")) {
            tests.addAll(testList(depth));
        } else if (peek().kind() == Kind.IDENTIFIER) {
            tests.add(test(depth));
        }
        Token next = take();
        if (next.is(";")) {
            return new Node.Command(lower(name), arguments, tests, null, name.line());
        }
        if (next.is("{")) {
            List<Node.Command> block = commands(depth + 1);
            Token close = take();
            if (!close.is("}")) {
                throw new ScriptException(close.line(), "expected '}' or a command, found " + describe(close));
            }
            return new Node.Command(lower(name), arguments, tests, block, name.line());
        }
        throw new ScriptException(next.line(), "expected ';' after " + name.text() + ", found " + describe(next));
    }

    private List<Node.Argument> arguments() throws ScriptException {
        List<Node.Argument> arguments = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case TAG -> arguments.add(new Node.Tag(take().text().toLowerCase(Locale.ROOT), t.line()));
                case NUMBER -> arguments.add(new Node.Number(take().number(), t.line()));
                case STRING -> arguments.add(new Node.Strings(List.of(take().text()), true, t.line()));
                case PUNCTUATION -> {
                    if (!t.is("[")) {
                        return arguments;
                    }
                    arguments.add(stringList());
                }
                default -> {
                    return arguments;
                }
            }
        }
    }

    private Node.Strings stringList() throws ScriptException {
        Token open = take();
        List<String> values = new ArrayList<>();
        while (true) {
            Token s = take();
            if (s.kind() != Kind.STRING) {
                throw new ScriptException(s.line(), "expected a string in the list, found " + describe(s));
            }
            values.add(s.text());
            Token next = take();
            if (next.is("]")) {
                return new Node.Strings(values, false, open.line());
            }
            if (!next.is(",")) {
                throw new ScriptException(next.line(), "expected ',' or ']' in a string list, found " + describe(next));
            }
        }
    }

    private List<Node.Test> testList(int depth) throws ScriptException {
        take();
        List<Node.Test> tests = new ArrayList<>();
        while (true) {
            tests.add(test(depth));
            Token next = take();
            if (next.is(")")) {
                return tests;
            }
            if (!next.is(",")) {
                throw new ScriptException(next.line(), "expected ',' or ')' in a test list, found " + describe(next));
            }
        }
    }

    private Node.Test test(int depth) throws ScriptException {
        if (depth > MAX_NESTING) {
            throw new ScriptException(peek().line(), "tests nested more than " + MAX_NESTING + " deep");
        }
        Token name = take();
        if (name.kind() != Kind.IDENTIFIER) {
            throw new ScriptException(name.line(), "expected a test, found " + describe(name));
        }
        List<Node.Argument> arguments = arguments();
        List<Node.Test> tests = new ArrayList<>();
        if (peek().is("(")) {
            tests.addAll(testList(depth + 1));
        } else if (peek().kind() == Kind.IDENTIFIER) {
            tests.add(test(depth + 1));
        }
        return new Node.Test(lower(name), arguments, tests, name.line());
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token take() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.END) {
            at++;
        }
        return t;
    }

    private static String lower(Token t) {
        return t.text().toLowerCase(Locale.ROOT);
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case END -> "the end of the script";
            case STRING -> "a string";
            case NUMBER -> "the number " + t.text();
            case TAG -> "the tag :" + t.text();
            default -> "'" + t.text() + "'";
        };
    }
}
