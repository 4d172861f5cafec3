package org.posthorn.imap.fetch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.posthorn.imap.fetch.FetchItem.Attribute;
import org.posthorn.imap.fetch.FetchItem.Kind;
import org.posthorn.imap.fetch.FetchItem.Section;
import org.posthorn.imap.protocol.CommandReader;
import org.posthorn.imap.protocol.ImapException;

/** Parses the data items of FETCH: a macro, one item, or a parenthesised list (RFC 9051 §9 {@code fetch}). */
public final class FetchParser {

    private FetchParser() {
    }

    public static List<FetchItem> items(CommandReader reader) throws ImapException, IOException {
        List<FetchItem> items = new ArrayList<>();
        if (reader.consume('(')) {
            do {
                items.add(item(reader));
            } while (reader.consume(' '));
            reader.expect(')');
            return items;
        }
        if (reader.peekIgnoreCase("ALL") || reader.peekIgnoreCase("FAST") || reader.peekIgnoreCase("FULL")) {
            String macro = reader.word("[(<");
            switch (macro) {
                case "ALL" -> items.addAll(attributes(Kind.FLAGS, Kind.INTERNALDATE, Kind.RFC822_SIZE, Kind.ENVELOPE));
                case "FAST" -> items.addAll(attributes(Kind.FLAGS, Kind.INTERNALDATE, Kind.RFC822_SIZE));
                case "FULL" -> items.addAll(attributes(Kind.FLAGS, Kind.INTERNALDATE, Kind.RFC822_SIZE, Kind.ENVELOPE,
                        Kind.BODY));
                default -> items.add(named(macro, reader));
            }
            return items;
        }
        items.add(item(reader));
        return items;
    }

    private static List<FetchItem> attributes(Kind... kinds) {
        List<FetchItem> list = new ArrayList<>();
        for (Kind kind : kinds) {
            list.add(new Attribute(kind));
        }
        return list;
    }

    private static FetchItem item(CommandReader reader) throws ImapException, IOException {
        return named(reader.word("[(<"), reader);
    }

    private static FetchItem named(String name, CommandReader reader) throws ImapException, IOException {
        switch (name) {
            case "FLAGS", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE", "UID", "MODSEQ" -> {
                return new Attribute(Kind.valueOf(name));
            }
            case "RFC822.SIZE" -> {
                return new Attribute(Kind.RFC822_SIZE);
            }
            case "RFC822" -> {
                return new FetchItem.BodySection("RFC822", new Section("", FetchItem.Text.NONE, List.of()), false, -1, -1);
            }
            case "RFC822.HEADER" -> {
                return new FetchItem.BodySection("RFC822.HEADER", new Section("", FetchItem.Text.HEADER, List.of()),
                        true, -1, -1);
            }
            case "RFC822.TEXT" -> {
                return new FetchItem.BodySection("RFC822.TEXT", new Section("", FetchItem.Text.TEXT, List.of()),
                        false, -1, -1);
            }
            case "BODY", "BODY.PEEK" -> {
                if (reader.peek() != '[') {
                    if (name.equals("BODY.PEEK")) {
                        throw ImapException.bad("BODY.PEEK needs a section");
                    }
                    return new Attribute(Kind.BODY);
                }
                Section section = section(reader);
                long[] partial = partial(reader);
                return new FetchItem.BodySection("BODY", section, name.equals("BODY.PEEK"), partial[0], partial[1]);
            }
            case "BINARY", "BINARY.PEEK" -> {
                String part = binarySection(reader);
                long[] partial = partial(reader);
                return new FetchItem.Binary(part, name.equals("BINARY.PEEK"), partial[0], partial[1]);
            }
            case "BINARY.SIZE" -> {
                return new FetchItem.BinarySize(binarySection(reader));
            }
            default -> throw ImapException.bad("Unknown FETCH item " + name);
        }
    }

    /** {@code [section]}: a part number, a text specifier, or both. */
    private static Section section(CommandReader reader) throws ImapException, IOException {
        reader.expect('[');
        StringBuilder part = new StringBuilder();
        while (reader.peek() >= '0' && reader.peek() <= '9') {
            if (part.length() > 0) {
                part.append('.');
            }
            part.append(reader.nzNumber());
            if (!reader.consume('.')) {
                reader.expect(']');
                return new Section(part.toString(), FetchItem.Text.NONE, List.of());
            }
        }
        if (reader.consume(']')) {
            if (part.length() > 0) {
                throw ImapException.bad("Invalid section");
            }
            return new Section("", FetchItem.Text.NONE, List.of());
        }
        String text = reader.word("[]( ");
        FetchItem.Text kind;
        switch (text) {
            case "HEADER" -> kind = FetchItem.Text.HEADER;
            case "HEADER.FIELDS" -> kind = FetchItem.Text.HEADER_FIELDS;
            case "HEADER.FIELDS.NOT" -> kind = FetchItem.Text.HEADER_FIELDS_NOT;
            case "TEXT" -> kind = FetchItem.Text.TEXT;
            case "MIME" -> {
                if (part.length() == 0) {
                    throw ImapException.bad("MIME needs a part number");
                }
                kind = FetchItem.Text.MIME;
            }
            default -> throw ImapException.bad("Invalid section " + text);
        }
        List<String> fields = new ArrayList<>();
        if (kind == FetchItem.Text.HEADER_FIELDS || kind == FetchItem.Text.HEADER_FIELDS_NOT) {
            reader.sp();
            reader.expect('(');
            do {
                fields.add(reader.astring().toUpperCase(Locale.ROOT));
            } while (reader.consume(' '));
            reader.expect(')');
        }
        reader.expect(']');
        return new Section(part.toString(), kind, fields);
    }

    /** {@code [1.2]} or {@code []} of BINARY. */
    private static String binarySection(CommandReader reader) throws ImapException {
        reader.expect('[');
        StringBuilder part = new StringBuilder();
        if (!reader.consume(']')) {
            do {
                if (part.length() > 0) {
                    part.append('.');
                }
                part.append(reader.nzNumber());
            } while (reader.consume('.'));
            reader.expect(']');
        }
        return part.toString();
    }

    /** {@code <origin.length>} or {-1, -1}. */
    private static long[] partial(CommandReader reader) throws ImapException {
        if (!reader.consume('<')) {
            return new long[] {-1, -1};
        }
        long origin = reader.number();
        reader.expect('.');
        long length = reader.nzNumber();
        reader.expect('>');
        return new long[] {origin, length};
    }
}
