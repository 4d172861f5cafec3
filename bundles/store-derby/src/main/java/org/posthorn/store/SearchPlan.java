package org.posthorn.store;

import java.io.IOException;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.posthorn.api.store.SearchQuery;
import org.posthorn.api.store.UidSet;

/**
 * A {@link SearchQuery} turned into SQL as far as it goes. Keys on flags, dates, sizes, UIDs,
 * MODSEQ and the header texts stored at delivery become SQL; a subtree made only of such keys
 * stays SQL. If the whole query is SQL, the database answers it alone. Otherwise the SQL
 * subtrees become 0/1 columns of the select, a necessary condition prunes rows in the WHERE
 * clause, and the rest (BODY, TEXT, other header fields, long UID sets) is checked in Java
 * on the remaining candidates, reading their messages.
 */
final class SearchPlan {

    /** Header fields kept in {@code store_content} columns. */
    private static final Map<String, String> HEADER_COLUMNS = Map.of("from", "c.s_from", "to", "c.s_to",
            "cc", "c.s_cc", "bcc", "c.s_bcc", "subject", "c.s_subject");
    private static final int MAX_SQL_RANGES = 64;

    /** Evaluates the non-SQL part for one candidate. */
    interface Matcher {
        boolean matches(Candidate candidate) throws IOException, SQLException;
    }

    /** A row that passed the SQL prefilter. */
    interface Candidate {
        long uid();

        /** The value of predicate column {@code index}. */
        boolean predicate(int index);

        boolean headerContains(String field, String lowerText) throws IOException, SQLException;

        boolean bodyContains(String lowerText, boolean withHeader) throws IOException, SQLException;
    }

    /** SQL with its parameters in order. */
    record Sql(String text, List<Object> params) {
        static Sql of(String text, Object... params) {
            return new Sql(text, List.of(params));
        }
    }

    /** One compiled node: exact SQL, or a prefilter (null = none) plus a Java matcher. */
    private record Node(Sql exact, Sql prefilter, Matcher matcher) {
        static Node sql(Sql sql) {
            return new Node(sql, sql, null);
        }
    }

    final List<Sql> predicateColumns = new ArrayList<>();
    final Sql exact;
    final Sql prefilter;
    final Matcher matcher;

    SearchPlan(SearchQuery query) {
        Node node = compile(query);
        this.exact = node.exact;
        this.prefilter = node.prefilter;
        this.matcher = node.exact != null ? null : node.matcher;
    }

    private Matcher asMatcher(Node node) {
        if (node.exact == null) {
            return node.matcher;
        }
        int index = predicateColumns.size();
        predicateColumns.add(node.exact);
        return c -> c.predicate(index);
    }

    private Node compile(SearchQuery q) {
        if (q instanceof SearchQuery.All) {
            return Node.sql(Sql.of("1 = 1"));
        } else if (q instanceof SearchQuery.HasFlag f) {
            return Node.sql(flag(f.flag()));
        } else if (q instanceof SearchQuery.Uids u) {
            return uids(u.uids());
        } else if (q instanceof SearchQuery.InternalDate d) {
            return Node.sql(dayComparison("m.internal_date", d.comparison(),
                    d.date().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
                    d.date().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()));
        } else if (q instanceof SearchQuery.SentDate d) {
            return Node.sql(dayComparison("c.sent_date", d.comparison(), java.sql.Date.valueOf(d.date()),
                    java.sql.Date.valueOf(d.date().plusDays(1))));
        } else if (q instanceof SearchQuery.Larger l) {
            return Node.sql(Sql.of("m.size > ?", l.size()));
        } else if (q instanceof SearchQuery.Smaller s) {
            return Node.sql(Sql.of("m.size < ?", s.size()));
        } else if (q instanceof SearchQuery.ModSeq m) {
            return Node.sql(Sql.of("m.modseq >= ?", m.modSeq()));
        } else if (q instanceof SearchQuery.Header h) {
            return header(h.field().toLowerCase(Locale.ROOT), h.text().toLowerCase(Locale.ROOT));
        } else if (q instanceof SearchQuery.Body b) {
            String text = b.text().toLowerCase(Locale.ROOT);
            return new Node(null, null, c -> c.bodyContains(text, false));
        } else if (q instanceof SearchQuery.Text t) {
            String text = t.text().toLowerCase(Locale.ROOT);
            return new Node(null, null, c -> c.bodyContains(text, true));
        } else if (q instanceof SearchQuery.Not n) {
            Node inner = compile(n.query());
            if (inner.exact != null) {
                return Node.sql(new Sql("NOT (" + inner.exact.text() + ")", inner.exact.params()));
            }
            Matcher m = inner.matcher;
            return new Node(null, null, c -> !m.matches(c));
        } else if (q instanceof SearchQuery.And a) {
            return combine(a.queries(), " AND ");
        } else if (q instanceof SearchQuery.Or o) {
            return combine(List.of(o.left(), o.right()), " OR ");
        }
        throw new IllegalArgumentException("unknown search key " + q);
    }

    private Node combine(List<SearchQuery> queries, String operator) {
        if (queries.isEmpty()) {
            return Node.sql(Sql.of("1 = 1"));
        }
        boolean and = operator.equals(" AND ");
        List<Node> nodes = new ArrayList<>();
        boolean allExact = true;
        for (SearchQuery q : queries) {
            Node n = compile(q);
            nodes.add(n);
            allExact &= n.exact != null;
        }
        if (allExact) {
            return Node.sql(join(nodes.stream().map(Node::exact).toList(), operator));
        }
        // a necessary condition: AND of the known parts, OR only if every branch has one
        List<Sql> pre = new ArrayList<>();
        for (Node n : nodes) {
            if (n.prefilter != null) {
                pre.add(n.prefilter);
            } else if (!and) {
                pre = null;
                break;
            }
        }
        Sql prefilter = pre == null || pre.isEmpty() ? null : join(pre, operator);
        List<Matcher> matchers = new ArrayList<>();
        for (Node n : nodes) {
            matchers.add(asMatcher(n));
        }
        Matcher matcher = and ? c -> {
            for (Matcher m : matchers) {
                if (!m.matches(c)) {
                    return false;
                }
            }
            return true;
        } : c -> {
            for (Matcher m : matchers) {
                if (m.matches(c)) {
                    return true;
                }
            }
            return false;
        };
        return new Node(null, prefilter, matcher);
    }

    private static Sql join(List<Sql> parts, String operator) {
        StringBuilder sb = new StringBuilder("(");
        List<Object> params = new ArrayList<>();
        for (Sql s : parts) {
            if (sb.length() > 1) {
                sb.append(operator);
            }
            sb.append('(').append(s.text()).append(')');
            params.addAll(s.params());
        }
        return new Sql(sb.append(')').toString(), params);
    }

    private static Sql flag(String flag) {
        int index = Flags.systemIndex(flag);
        if (index >= 0) {
            String column = Flags.SYSTEM[index].substring(1).toLowerCase(Locale.ROOT);
            return Sql.of("m." + column + " = 1");
        }
        if (flag.startsWith("\\")) {
            return Sql.of("1 = 0");
        }
        // no keywords is NULL: COALESCE so that NOT (UNKEYWORD) finds those messages too
        return Sql.of("COALESCE(LOWER(m.keywords), '') LIKE ? ESCAPE '\\'", "% " + escapeLike(flag.toLowerCase(Locale.ROOT)) + " %");
    }

    private static Node uids(UidSet set) {
        if (set.isEmpty()) {
            return Node.sql(Sql.of("1 = 0"));
        }
        if (set.ranges().size() <= MAX_SQL_RANGES) {
            List<Sql> ranges = new ArrayList<>();
            for (UidSet.Range r : set.ranges()) {
                ranges.add(Sql.of("m.uid BETWEEN ? AND ?", r.first(), r.last()));
            }
            return Node.sql(join(ranges, " OR "));
        }
        return new Node(null, Sql.of("m.uid BETWEEN ? AND ?", set.first(), set.last()),
                c -> set.contains(c.uid()));
    }

    private static Sql dayComparison(String column, SearchQuery.DateComparison comparison, Object day,
                                     Object nextDay) {
        return switch (comparison) {
            case BEFORE -> Sql.of(column + " < ?", day);
            case ON -> Sql.of(column + " >= ? AND " + column + " < ?", day, nextDay);
            case SINCE -> Sql.of(column + " >= ?", day);
        };
    }

    private static Node header(String field, String text) {
        String column = HEADER_COLUMNS.get(field);
        if (column != null) {
            return Node.sql(text.isEmpty() ? Sql.of(column + " IS NOT NULL")
                    : Sql.of(column + " LIKE ? ESCAPE '\\'", "%" + escapeLike(text) + "%"));
        }
        return new Node(null, null, c -> c.headerContains(field, text));
    }

    static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

}
