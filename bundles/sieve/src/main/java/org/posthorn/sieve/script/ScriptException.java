package org.posthorn.sieve.script;

/** A script that cannot be run: a syntax error, an unknown command or extension, wrong arguments. */
public final class ScriptException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;

    public ScriptException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** The script line the error was found on, from 1. */
    public int line() {
        return line;
    }
}
