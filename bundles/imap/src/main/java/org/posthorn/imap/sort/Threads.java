package org.posthorn.imap.sort;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * THREAD (RFC 5256 §3): the ORDEREDSUBJECT and REFERENCES algorithms, and the response form
 * {@code (3 6 (4 23)(44 7 96))}: a message followed by its only child, or by its children each
 * in parentheses; a missing parent (REFERENCES) is left out, its children in parentheses.
 */
public final class Threads {

    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s]+>");

    /** A message, or a dummy (a message only named in references) when {@code message} is null. */
    private static final class Node {
        SortKeys message;
        Node parent;
        final List<Node> children = new ArrayList<>();

        Node(SortKeys message) {
            this.message = message;
        }

        /** RFC 5256 §3.2 step 5: a dummy sorts by its first child. */
        Instant date() {
            return message != null ? message.sent() : children.isEmpty() ? Instant.MIN : children.get(0).date();
        }

        long number() {
            return message != null ? message.number() : children.isEmpty() ? 0 : children.get(0).number();
        }

        BaseSubject subject() {
            return message != null ? message.subject() : children.isEmpty() ? null : children.get(0).subject();
        }

        void adopt(Node child) {
            if (child.parent != null) {
                child.parent.children.remove(child);
            }
            child.parent = this;
            children.add(child);
        }

        /** True if {@code other} is this node or below it. */
        boolean reaches(Node other) {
            for (Node n = other; n != null; n = n.parent) {
                if (n == this) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final Comparator<Node> BY_DATE = Comparator.comparing(Node::date).thenComparingLong(Node::number);

    private Threads() {
    }

    /** The message-ids in a References or In-Reply-To value, in order. */
    public static List<String> messageIds(String value) {
        List<String> ids = new ArrayList<>();
        if (value != null) {
            Matcher m = MESSAGE_ID.matcher(value);
            while (m.find()) {
                ids.add(m.group());
            }
        }
        return ids;
    }

    /** RFC 5256 §3.1: threads of messages with the same base subject, by sent date. */
    public static String orderedSubject(List<SortKeys> messages) {
        Map<String, Node> threads = new LinkedHashMap<>();
        messages.stream().sorted(Comparator.comparing(SortKeys::sent).thenComparingLong(SortKeys::number))
                .forEach(m -> {
                    Node root = threads.get(m.subject().text());
                    if (root == null) {
                        threads.put(m.subject().text(), new Node(m));
                    } else {
                        root.adopt(new Node(m));
                    }
                });
        return format(new ArrayList<>(threads.values()));
    }

    /** RFC 5256 §3.2: threads by Message-ID and References, then merged by base subject. */
    public static String references(List<SortKeys> messages) {
        Map<String, Node> byId = new HashMap<>();
        List<Node> all = new ArrayList<>();
        for (SortKeys message : messages) {
            String id = messageIds(message.messageId()).stream().findFirst().orElse(null);
            Node existing = id == null ? null : byId.get(id);
            Node node;
            if (existing != null && existing.message == null) {
                // step 1A: the dummy that references made for this id is this message
                node = existing;
                node.message = message;
            } else {
                // a second message with the same id is not found by it (it gets a unique id)
                node = new Node(message);
                all.add(node);
                if (id != null && existing == null) {
                    byId.put(id, node);
                }
            }
            // step 1B: each reference is the parent of the next, unless that makes a loop
            Node previous = null;
            for (String reference : message.references()) {
                Node current = byId.get(reference);
                if (current == null) {
                    current = new Node(null);
                    byId.put(reference, current);
                    all.add(current);
                }
                if (previous != null && current.parent == null && !current.reaches(previous)) {
                    previous.adopt(current);
                }
                previous = current;
            }
            // step 1C: the last reference is the message's parent; a parent presumed from other
            // messages' references goes first, even when the new link would make a loop and is not made
            if (node.parent != null) {
                node.parent.children.remove(node);
                node.parent = null;
            }
            if (previous != null && !node.reaches(previous)) {
                previous.adopt(node);
            }
        }
        List<Node> roots = new ArrayList<>();
        for (Node node : all) {
            if (node.parent == null) {
                roots.add(node);
            }
        }
        roots = prune(roots);
        sortChildren(roots);
        roots.sort(BY_DATE);
        return format(mergeBySubject(roots));
    }

    /** Step 4: dummies without children go, dummies with children give them to their parent. */
    private static List<Node> prune(List<Node> level) {
        List<Node> kept = new ArrayList<>();
        for (Node node : level) {
            List<Node> children = prune(new ArrayList<>(node.children));
            node.children.clear();
            for (Node child : children) {
                child.parent = node;
                node.children.add(child);
            }
            if (node.message != null) {
                kept.add(node);
            } else if (!node.children.isEmpty()) {
                boolean root = node.parent == null;
                if (root && node.children.size() > 1) {
                    kept.add(node);
                } else {
                    for (Node child : node.children) {
                        child.parent = node.parent;
                        kept.add(child);
                    }
                }
            }
        }
        return kept;
    }

    private static void sortChildren(List<Node> nodes) {
        for (Node node : nodes) {
            sortChildren(node.children);
            node.children.sort(BY_DATE);
        }
    }

    /** Step 6: roots with the same base subject are put together. */
    private static List<Node> mergeBySubject(List<Node> roots) {
        Map<String, Node> table = new HashMap<>();
        for (Node root : roots) {
            BaseSubject subject = root.subject();
            if (subject == null || subject.text().isEmpty()) {
                continue;
            }
            Node old = table.get(subject.text());
            if (old == null || (root.message == null && old.message != null)
                    || (old.message != null && old.subject().isReply() && root.message != null
                    && !root.subject().isReply())) {
                table.put(subject.text(), root);
            }
        }
        List<Node> result = new ArrayList<>(roots);
        for (Node root : roots) {
            BaseSubject subject = root.subject();
            if (subject == null || subject.text().isEmpty() || !result.contains(root)) {
                continue;
            }
            Node other = table.get(subject.text());
            if (other == null || other == root) {
                continue;
            }
            if (other.message == null && root.message == null) {
                for (Node child : new ArrayList<>(root.children)) {
                    other.adopt(child);
                }
                result.remove(root);
            } else if (other.message == null) {
                other.adopt(root);
                result.remove(root);
            } else if (root.message == null) {
                root.adopt(other);
                result.remove(other);
                table.put(subject.text(), root);
            } else if (!other.subject().isReply() && root.subject().isReply()) {
                other.adopt(root);
                result.remove(root);
            } else {
                Node dummy = new Node(null);
                result.set(result.indexOf(other), dummy);
                dummy.adopt(other);
                dummy.adopt(root);
                result.remove(root);
                table.put(subject.text(), dummy);
            }
            sortChildren(List.of(table.get(subject.text())));
            table.get(subject.text()).children.sort(BY_DATE);
        }
        return result;
    }

    private static String format(List<Node> roots) {
        StringBuilder sb = new StringBuilder();
        for (Node root : roots) {
            sb.append('(');
            write(root, sb);
            sb.append(')');
        }
        return sb.toString();
    }

    private static void write(Node node, StringBuilder sb) {
        if (node.message != null) {
            sb.append(node.message.number());
            if (node.children.isEmpty()) {
                return;
            }
            sb.append(' ');
            if (node.children.size() == 1) {
                write(node.children.get(0), sb);
                return;
            }
        }
        for (Node child : node.children) {
            sb.append('(');
            write(child, sb);
            sb.append(')');
        }
    }
}
