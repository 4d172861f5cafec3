package org.posthorn.queue.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.queue.TestDatabase;
import org.posthorn.queue.TestMail;

class QueueIndexTest {

    @TempDir
    Path dir;

    /**
     * A table lock taken while another session compiles a statement on that table deadlocks
     * Derby without detection (found under load as lock timeouts): removing an entry must lock rows only.
     */
    @Test
    void removingAnEntryLocksRowsNotTables() throws Exception {
        try (TestDatabase db = TestDatabase.open(dir)) {
            QueueIndex index = new QueueIndex(db.dataSource());
            for (String id : List.of("A1", "A2", "A3")) {
                Sql.transaction(db.dataSource(), c -> {
                    index.insert(c, new NewEntry(id, TestMail.envelope("a@b.test", "c@d.test", "e@f.test"), 10, 5,
                            Instant.parse("2026-11-23T10:00:00Z")));
                    return null;
                });
            }
            List<String> tableLocks = new ArrayList<>();
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                assertThat(index.delete(c, "A2")).isTrue();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT TABLENAME, MODE FROM SYSCS_DIAG.LOCK_TABLE WHERE TYPE = 'TABLE'")) {
                    while (rs.next()) {
                        tableLocks.add(rs.getString(1) + " " + rs.getString(2));
                    }
                }
                c.commit();
            }
            assertThat(tableLocks).containsOnly("QUEUE_MESSAGE IX", "QUEUE_RECIPIENT IX");
            assertThat(index.ids()).containsExactlyInAnyOrder("A1", "A3");
            assertThat(index.load("A1").orElseThrow().recipients()).hasSize(2);
        }
    }
}
