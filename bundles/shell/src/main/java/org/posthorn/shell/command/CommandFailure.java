package org.posthorn.shell.command;

/**
 * A command could not do what it was asked; the message says why, in words for the admin. The
 * shell prints it and the command's exit status is {@link #status()}.
 */
public class CommandFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    public CommandFailure(String message) {
        this(message, 1);
    }

    CommandFailure(String message, int status) {
        super(message);
        this.status = status;
    }

    /** 1 for a failure, 2 for a usage error. */
    public int status() {
        return status;
    }

    /** The command line was wrong: unknown option, missing or extra argument, malformed value. */
    static CommandFailure usage(String message) {
        return new CommandFailure(message, 2);
    }
}
