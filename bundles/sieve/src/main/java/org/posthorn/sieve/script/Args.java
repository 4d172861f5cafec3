package org.posthorn.sieve.script;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The arguments of one command or test, split into tags (with their values) and positional arguments. */
final class Args {

    /** Tags followed by a value (RFC 5228 §2.6.2 "tagged arguments" of the supported extensions). */
    static final Set<String> VALUE_TAGS = Set.of("comparator", "days", "subject", "from", "addresses", "handle",
            "flags", "content", "over", "under");

    final Map<String, Node.Argument> tags = new LinkedHashMap<>();
    final List<Node.Argument> positional = new ArrayList<>();

    private Args() {
    }

    static Args of(List<Node.Argument> arguments) throws ScriptException {
        Args args = new Args();
        for (int i = 0; i < arguments.size(); i++) {
            Node.Argument a = arguments.get(i);
            if (a instanceof Node.Tag tag) {
                if (args.tags.containsKey(tag.name())) {
                    throw new ScriptException(tag.line(), "the tag :" + tag.name() + " is given twice");
                }
                Node.Argument value = null;
                if (VALUE_TAGS.contains(tag.name())) {
                    if (i + 1 >= arguments.size() || arguments.get(i + 1) instanceof Node.Tag) {
                        throw new ScriptException(tag.line(), "the tag :" + tag.name() + " needs a value");
                    }
                    value = arguments.get(++i);
                }
                args.tags.put(tag.name(), value);
            } else {
                args.positional.add(a);
            }
        }
        return args;
    }

    boolean has(String tag) {
        return tags.containsKey(tag);
    }

    String string(String tag) {
        Node.Argument a = tags.get(tag);
        return a instanceof Node.Strings s ? s.values().get(0) : null;
    }

    List<String> strings(String tag) {
        Node.Argument a = tags.get(tag);
        return a instanceof Node.Strings s ? s.values() : null;
    }

    long number(String tag, long otherwise) {
        Node.Argument a = tags.get(tag);
        return a instanceof Node.Number n ? n.value() : otherwise;
    }

    List<String> strings(int position) {
        return ((Node.Strings) positional.get(position)).values();
    }

    String string(int position) {
        return strings(position).get(0);
    }

    long number(int position) {
        return ((Node.Number) positional.get(position)).value();
    }
}
