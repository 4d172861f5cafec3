package org.posthorn.sieve.script;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Runs a checked script on one message (RFC 5228 §2.10 for the actions, RFC 5232 for flags). */
final class Interpreter {

    /** Stops the script: the stop command. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }

    /** An error while running (RFC 5228 §2.10.6): the script's actions are dropped, the implicit keep applies. */
    private static final class RunError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RunError(String message) {
            super(message, null, false, false);
        }
    }

    private final SieveMail mail;
    private final int bodyLimit;
    /** Mailbox (null: INBOX) to flags; at most one delivery per mailbox (RFC 5228 §2.10.3). */
    private final Map<String, Set<String>> copies = new LinkedHashMap<>();
    private final List<String> redirects = new ArrayList<>();
    private Set<String> flags = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private boolean implicitKeep = true;
    private String reject;
    private Outcome.Vacation vacation;
    private List<String> cachedBody;
    private String cachedBodyKey;

    Interpreter(SieveMail mail, int bodyLimit) {
        this.mail = mail;
        this.bodyLimit = bodyLimit;
    }

    Outcome run(List<Node.Command> commands) {
        try {
            block(commands);
        } catch (Stop stop) {
            // RFC 5228 §3.3: stop ends the script; the actions so far stand
        } catch (RunError | UncheckedIOException e) {
            return Outcome.keep();
        }
        if (implicitKeep) {
            copies.putIfAbsent(null, Set.copyOf(flags));
        }
        if (reject != null && (!copies.isEmpty() || !redirects.isEmpty())) {
            // RFC 5429 §2.1: reject together with an action that delivers the message is an error
            return Outcome.keep();
        }
        List<Outcome.Copy> list = new ArrayList<>();
        copies.forEach((mailbox, f) -> list.add(new Outcome.Copy(mailbox, f)));
        return new Outcome(reject != null ? List.of() : list, List.copyOf(redirects), reject, vacation);
    }

    private void block(List<Node.Command> commands) {
        boolean previousMatched = false;
        for (Node.Command c : commands) {
            switch (c.name()) {
                case "if" -> {
                    previousMatched = test(c.tests().get(0));
                    if (previousMatched) {
                        block(c.block());
                    }
                }
                case "elsif" -> {
                    if (!previousMatched) {
                        previousMatched = test(c.tests().get(0));
                        if (previousMatched) {
                            block(c.block());
                        }
                    }
                }
                case "else" -> {
                    if (!previousMatched) {
                        block(c.block());
                    }
                }
                default -> command(c);
            }
        }
    }

    private void command(Node.Command c) {
        Args args = args(c.arguments());
        switch (c.name()) {
            case "require" -> {
                // checked before the run
            }
            case "stop" -> throw new Stop();
            case "keep" -> {
                copies.put(null, flagsOf(args));
                implicitKeep = false;
            }
            case "discard" -> implicitKeep = false;
            case "fileinto" -> {
                String mailbox = args.string(0);
                copies.put(mailbox.equalsIgnoreCase("INBOX") ? null : mailbox, flagsOf(args));
                implicitKeep &= args.has("copy");
            }
            case "redirect" -> {
                String address = args.string(0).strip();
                if (Addresses.parse(address).size() != 1 || !address.contains("@")) {
                    throw new RunError("redirect to an invalid address: " + address);
                }
                if (!redirects.contains(address)) {
                    redirects.add(address);
                }
                implicitKeep &= args.has("copy");
            }
            case "reject" -> {
                reject = args.string(0);
                implicitKeep = false;
            }
            case "vacation" -> vacation = new Outcome.Vacation((int) Math.min(Integer.MAX_VALUE, args.number("days", 7)),
                    args.string("subject"), args.string("from"),
                    args.has("addresses") ? args.strings("addresses") : List.of(), args.has("mime"),
                    args.string("handle"), args.string(0));
            case "setflag" -> {
                flags.clear();
                flags.addAll(flagList(args.strings(0)));
            }
            case "addflag" -> flags.addAll(flagList(args.strings(0)));
            case "removeflag" -> flags.removeAll(flagList(args.strings(0)));
            default -> throw new RunError("unknown command " + c.name());
        }
    }

    /** The flags of keep/fileinto: its :flags, else the internal variable (RFC 5232 §5). */
    private Set<String> flagsOf(Args args) {
        return Set.copyOf(args.has("flags") ? flagList(args.strings("flags")) : flags);
    }

    /** RFC 5232 §3: each string is a space-separated list of flags; duplicates (case-insensitive) collapse. */
    private static Set<String> flagList(List<String> strings) {
        Set<String> result = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String s : strings) {
            for (String flag : s.strip().split("\\s+")) {
                if (!flag.isEmpty()) {
                    result.add(flag);
                }
            }
        }
        return result;
    }

    private boolean test(Node.Test t) {
        Args args = args(t.arguments());
        return switch (t.name()) {
            case "true" -> true;
            case "false" -> false;
            case "not" -> !test(t.tests().get(0));
            case "anyof" -> t.tests().stream().anyMatch(this::test);
            case "allof" -> t.tests().stream().allMatch(this::test);
            case "exists" -> args.strings(0).stream().allMatch(name -> !mail.header(name).isEmpty());
            case "size" -> args.has("over") ? mail.size() > args.number("over", 0) : mail.size() < args.number("under", 0);
            case "header" -> header(args);
            case "address" -> address(args, false);
            case "envelope" -> address(args, true);
            case "body" -> body(args);
            case "hasflag" -> anyMatch(Matcher.of(args), List.copyOf(flags), args.strings(0));
            default -> throw new RunError("unknown test " + t.name());
        };
    }

    private boolean header(Args args) {
        List<String> values = new ArrayList<>();
        for (String name : args.strings(0)) {
            for (String value : mail.header(name)) {
                values.add(MimeText.decodeHeader(value));
            }
        }
        return anyMatch(Matcher.of(args), values, args.strings(1));
    }

    private boolean address(Args args, boolean envelope) {
        String part = args.has("localpart") ? "localpart" : args.has("domain") ? "domain" : "all";
        List<String> values = new ArrayList<>();
        for (String name : args.strings(0)) {
            List<String> addresses = new ArrayList<>();
            if (envelope) {
                switch (name.toLowerCase(Locale.ROOT)) {
                    case "from" -> addresses.add(mail.envelopeFrom());
                    case "to" -> addresses.add(mail.envelopeTo());
                    default -> {
                        // RFC 5228 §5.4: other envelope parts are not available here and match nothing
                    }
                }
            } else {
                for (String value : mail.header(name)) {
                    addresses.addAll(Addresses.parse(value));
                }
            }
            for (String a : addresses) {
                values.add(Addresses.part(a, part));
            }
        }
        return anyMatch(Matcher.of(args), values, args.strings(1));
    }

    private boolean body(Args args) {
        String transform = args.has("raw") ? "raw" : args.has("content") ? "content" : "text";
        List<String> types = transform.equals("content") ? args.strings("content") : List.of("text");
        String key = transform + types;
        if (!key.equals(cachedBodyKey)) {
            try (InputStream in = mail.open()) {
                cachedBody = MimeText.bodyTexts(in, bodyLimit, transform, types);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cachedBodyKey = key;
        }
        return anyMatch(Matcher.of(args), cachedBody, args.strings(0));
    }

    private static boolean anyMatch(Matcher matcher, List<String> values, List<String> keys) {
        for (String value : values) {
            for (String key : keys) {
                if (matcher.matches(value, key)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Args args(List<Node.Argument> arguments) {
        try {
            return Args.of(arguments);
        } catch (ScriptException e) {
            throw new RunError(e.getMessage());
        }
    }
}
