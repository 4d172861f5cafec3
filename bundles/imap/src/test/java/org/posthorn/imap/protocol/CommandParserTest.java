package org.posthorn.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.posthorn.api.store.FlagUpdate;
import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.SpecialUse;
import org.posthorn.api.store.UidSet;
import org.posthorn.imap.fetch.FetchItem;
import org.posthorn.imap.search.SearchParser;

/** The parser without a connection: lines and literals come from a script. */
class CommandParserTest {

    /** Literal bytes and the lines after them, in order; records continuation requests. */
    private static final class Script implements CommandReader.Input, CommandParser.Context {
        final Deque<String> parts = new ArrayDeque<>();
        final List<String> events = new ArrayList<>();
        boolean utf8;

        Script(String... parts) {
            this.parts.addAll(List.of(parts));
        }

        @Override
        public byte[] literal(long length, boolean synchronizing) {
            events.add(synchronizing ? "+" : "literal+");
            byte[] bytes = parts.removeFirst().getBytes(StandardCharsets.UTF_8);
            assertThat((long) bytes.length).isEqualTo(length);
            return bytes;
        }

        @Override
        public void skip(long length) {
            events.add("skip " + length);
            parts.removeFirst();
        }

        @Override
        public byte[] line() {
            return parts.removeFirst().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean utf8() {
            return utf8;
        }

        @Override
        public SearchParser.Messages messages() {
            return new SearchParser.Messages() {
                @Override
                public UidSet resolve(SequenceSet set, boolean uid) {
                    return UidSet.of(set.resolved(100).stream()
                            .map(r -> new UidSet.Range(uid ? r.first() : r.first() * 10, uid ? r.last() : r.last() * 10))
                            .toList());
                }

                @Override
                public UidSet recent() {
                    return UidSet.ofUids(7);
                }
            };
        }
    }

    private static Command parse(String line, Script script) throws Exception {
        CommandReader reader = new CommandReader(line.getBytes(StandardCharsets.UTF_8), script, 10_000);
        assertThat(reader.tag()).isEqualTo("t");
        reader.sp();
        return CommandParser.parse(reader.keyword(), reader, script);
    }

    private static Command parse(String line, String... parts) throws Exception {
        return parse(line, new Script(parts));
    }

    @Test
    void astringsMayBeAtomsQuotedStringsOrLiterals() throws Exception {
        assertThat(parse("t LOGIN alice \"se\\\"cr\\\\et\"")).isEqualTo(new Command.Login("alice", "se\"cr\\et"));
        Script script = new Script("bob@example.org", " {3+}", "pw1", "");
        assertThat(parse("t LOGIN {15}", script)).isEqualTo(new Command.Login("bob@example.org", "pw1"));
        assertThat(script.events).containsExactly("+", "literal+");
        assertThatThrownBy(() -> parse("t LOGIN \"unterminated")).hasMessage("Unterminated quoted string");
        assertThatThrownBy(() -> parse("t LOGIN \"a\\b\" c")).hasMessage("Invalid escape in a quoted string");
        assertThatThrownBy(() -> parse("t LOGIN {3} x")).hasMessage("A literal must end the line");
        // '~' is an atom char; only "~{" begins a literal8 (imaptest "atoms")
        assertThat(parse("t LOGIN ~bob pw~1")).isEqualTo(new Command.Login("~bob", "pw~1"));
        assertThat(parse("t LIST \"\" ~foo")).isEqualTo(new Command.ListMailboxes(false, Set.of(), "",
                List.of("~foo"), Set.of(), List.of()));
        assertThat(parse("t LIST \"\" &'%")).isEqualTo(new Command.ListMailboxes(false, Set.of(), "",
                List.of("&'%"), Set.of(), List.of()));
    }

    @Test
    void commandSizeIsLimitedOverLinesAndLiterals() {
        Script script = new Script();
        CommandReader reader = new CommandReader("t LOGIN {20000}".getBytes(StandardCharsets.US_ASCII), script, 10_000);
        assertThatThrownBy(() -> {
            reader.tag();
            reader.sp();
            CommandParser.parse(reader.keyword(), reader, script);
        }).isInstanceOfSatisfying(ImapException.class, e -> assertThat(e.code()).isEqualTo("TOOBIG"));
    }

    @Test
    void discardingARefusedCommandSkipsNonSynchronizingLiterals() throws IOException {
        Script script = new Script("xxxxx", "rest {2+}", "yy", "");
        CommandReader reader = new CommandReader("t APPEND Nowhere {5+}".getBytes(StandardCharsets.US_ASCII), script,
                10_000);
        reader.discardRest();
        assertThat(script.events).containsExactly("skip 5", "skip 2");
        assertThat(script.parts).isEmpty();
    }

    @Test
    void sequenceSetsWithStarsAndBackwardRanges() throws Exception {
        Command.Fetch fetch = (Command.Fetch) parse("t FETCH 5:2,7,*,9:* FLAGS");
        assertThat(fetch.set().toString()).isEqualTo("5:2,7,*,9:*");
        assertThat(fetch.set().resolved(12)).containsExactly(new SequenceSet.Range(2, 5), new SequenceSet.Range(7, 7),
                new SequenceSet.Range(12, 12), new SequenceSet.Range(9, 12));
        assertThatThrownBy(() -> parse("t FETCH 0 FLAGS")).hasMessage("Invalid sequence number 0");
        assertThatThrownBy(() -> parse("t FETCH 1:x FLAGS")).hasMessage("Invalid sequence set at \"x FLAGS\"");
        assertThatThrownBy(() -> parse("t FETCH 1,,2 FLAGS")).hasMessage("Invalid sequence set at \",2 FLAGS\"");
        assertThat(((Command.Fetch) parse("t FETCH $ FLAGS")).set()).isEqualTo(SequenceSet.SAVED);
        assertThatThrownBy(() -> parse("t FETCH $:4 FLAGS")).hasMessage("$ stands alone as a sequence set");
    }

    @Test
    void selectWithCondstoreAndQresync() throws Exception {
        assertThat(parse("t SELECT INBOX (CONDSTORE)")).isEqualTo(new Command.Select("INBOX", false, true, null));
        Command.Select select = (Command.Select) parse("t EXAMINE Sent (QRESYNC (67890007 20050715194045000 41,43:211"
                + " (1:3 100:102)))");
        assertThat(select.readOnly()).isTrue();
        assertThat(select.qresync().uidValidity()).isEqualTo(67890007L);
        assertThat(select.qresync().modSeq()).isEqualTo(20050715194045000L);
        assertThat(select.qresync().knownUids().toString()).isEqualTo("41,43:211");
    }

    @Test
    void listExtendedAndCreateSpecialUse() throws Exception {
        assertThat(parse("t LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Foo/*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))"))
                .isEqualTo(new Command.ListMailboxes(false, Set.of("SUBSCRIBED", "RECURSIVEMATCH"), "",
                        List.of("INBOX", "Foo/*"), Set.of("CHILDREN", "STATUS"), List.of("MESSAGES", "UNSEEN")));
        assertThat(parse("t CREATE Entw&APw-rfe (USE (\\Drafts))"))
                .isEqualTo(new Command.Create("Entwürfe", Set.of(SpecialUse.DRAFTS)));
        assertThatThrownBy(() -> parse("t STATUS INBOX (MESSAGES BOGUS)")).hasMessage("Unknown STATUS item BOGUS");
    }

    @Test
    void appendAnnouncesItsMessageLiteral() throws Exception {
        Command.Append append = (Command.Append) parse("t APPEND Drafts (\\Draft $Todo) \" 5-Nov-2026 10:00:00 +0100\" {310+}");
        assertThat(append.flags()).containsExactlyInAnyOrder("\\Draft", "$Todo");
        assertThat(append.date()).isEqualTo(Instant.parse("2026-11-05T09:00:00Z"));
        assertThat(append.literal()).isEqualTo(new CommandReader.Literal(310, false, false));
        assertThat(((Command.Append) parse("t APPEND INBOX UTF8 (~{12}")).literal().binary()).isTrue();
        assertThat(((Command.Append) parse("t APPEND INBOX \"5-Nov-2026 10:00:00 -0030\" {1}")).date())
                .isEqualTo(Instant.parse("2026-11-05T10:30:00Z"));
    }

    @Test
    void storeForms() throws Exception {
        assertThat(parse("t STORE 1:3 +FLAGS.SILENT (\\Seen \\flagged)"))
                .isEqualTo(new Command.Store(false, parse("t FETCH 1:3 UID") instanceof Command.Fetch f ? f.set() : null,
                        -1, FlagUpdate.Mode.ADD, true, Set.of("\\Seen", "\\Flagged")));
        Command.Store store = (Command.Store) parse("t UID STORE 4 (UNCHANGEDSINCE 12) FLAGS $Done \\Answered");
        assertThat(store.uid()).isTrue();
        assertThat(store.unchangedSince()).isEqualTo(12);
        assertThat(store.mode()).isEqualTo(FlagUpdate.Mode.REPLACE);
        assertThat(store.flags()).containsExactlyInAnyOrder("$Done", "\\Answered");
        assertThatThrownBy(() -> parse("t STORE 1 +FLAGS (\\Bogus)")).hasMessage("Unknown system flag \\Bogus");
    }

    @Test
    void fetchItemsMacrosSectionsAndModifiers() throws Exception {
        Command.Fetch fetch = (Command.Fetch) parse("t UID FETCH 1:* (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From \"To\")]<0.100>"
                + " BINARY[2]<5.10> BINARY.SIZE[2] RFC822.SIZE) (CHANGEDSINCE 5 VANISHED)");
        assertThat(fetch.uid()).isTrue();
        assertThat(fetch.changedSince()).isEqualTo(5);
        assertThat(fetch.vanished()).isTrue();
        FetchItem.BodySection section = (FetchItem.BodySection) fetch.items().get(1);
        assertThat(section.peek()).isTrue();
        assertThat(section.responseName()).isEqualTo("BODY[1.2.HEADER.FIELDS (FROM TO)]<0>");
        assertThat(fetch.items().get(2)).isEqualTo(new FetchItem.Binary("2", false, 5, 10));
        assertThat(((Command.Fetch) parse("t FETCH 1 FULL")).items()).hasSize(5);
        assertThat(((Command.Fetch) parse("t FETCH 1 BODY[]")).items().get(0))
                .isEqualTo(new FetchItem.BodySection("BODY", new FetchItem.Section("", FetchItem.Text.NONE, List.of()),
                        false, -1, -1));
        assertThatThrownBy(() -> parse("t FETCH 1 BODY[MIME]")).hasMessage("MIME needs a part number");
        assertThatThrownBy(() -> parse("t FETCH 1 (FLAGS BOGUS)")).hasMessage("Unknown FETCH item BOGUS");
        assertThatThrownBy(() -> parse("t FETCH 1 FLAGS (VANISHED)")).hasMessage("Unknown FETCH modifier VANISHED");
    }

    @Test
    void searchKeysBecomeStoreQueriesWithSequenceNumbersAsUids() throws Exception {
        Command.Search search = (Command.Search) parse("t SEARCH RETURN (MIN COUNT) CHARSET UTF-8 2:3 UNSEEN"
                + " OR FROM \"bob\" NOT SUBJECT {4}", "test", " RECENT");
        assertThat(search.returnOptions()).containsExactly("MIN", "COUNT");
        assertThat(search.query()).isEqualTo(new SearchQuery.And(List.of(
                new SearchQuery.Uids(UidSet.of(List.of(new UidSet.Range(20, 30)))),
                new SearchQuery.Not(new SearchQuery.HasFlag("\\Seen")),
                new SearchQuery.Or(new SearchQuery.Header("FROM", "bob"),
                        new SearchQuery.Not(new SearchQuery.Header("SUBJECT", "test"))),
                new SearchQuery.Uids(UidSet.ofUids(7)))));
        assertThatThrownBy(() -> parse("t SEARCH CHARSET KOI8-R ALL"))
                .isInstanceOfSatisfying(ImapException.class, e -> assertThat(e.code()).isEqualTo("BADCHARSET (UTF-8 US-ASCII)"));
        assertThatThrownBy(() -> parse("t SEARCH SINCE 32-Jan-2026")).hasMessage("Invalid date \"32-Jan-2026\"");
        assertThatThrownBy(() -> parse("t SEARCH FROBNICATE")).hasMessage("Unknown search key FROBNICATE");
    }
}
