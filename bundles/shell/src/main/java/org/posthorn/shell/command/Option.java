package org.posthorn.shell.command;

/**
 * An option a command takes.
 *
 * @param name  with its dashes, e.g. {@code --quota-bytes}
 * @param value what the value is called in the usage text, or null for a flag
 * @param help  one line for the usage text
 */
public record Option(String name, String value, String help) {

    public static Option flag(String name, String help) {
        return new Option(name, null, help);
    }

    public static Option valued(String name, String value, String help) {
        return new Option(name, value, help);
    }

    boolean takesValue() {
        return value != null;
    }
}
