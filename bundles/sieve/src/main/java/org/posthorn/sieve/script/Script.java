package org.posthorn.sieve.script;

import java.util.List;

/**
 * A checked Sieve script, ready to run any number of times (RFC 5228 with fileinto, reject,
 * envelope, body, vacation, imap4flags, copy and the i;ascii-numeric comparator). Immutable and
 * thread-safe.
 */
public final class Script {

    /** The capabilities scripts may require, in the order ManageSieve announces them. */
    public static final List<String> EXTENSIONS = Checker.EXTENSIONS;

    private final List<Node.Command> commands;

    private Script(List<Node.Command> commands) {
        this.commands = commands;
    }

    /** Parses and checks a script; the exception names the line and what is wrong. */
    public static Script compile(String text) throws ScriptException {
        List<Node.Command> commands = Parser.parse(text);
        Checker.check(commands);
        return new Script(commands);
    }

    /**
     * Runs the script on one recipient's message. An error while running (e.g. reject together
     * with fileinto) gives the implicit keep (RFC 5228 §2.10.6).
     *
     * @param bodyLimit how many bytes of the message the body test reads at most
     */
    public Outcome run(SieveMail mail, int bodyLimit) {
        return new Interpreter(mail, bodyLimit).run(commands);
    }
}
