package org.posthorn.queue.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.queue.TestDatabase;
import org.posthorn.queue.dispatch.QueueSettings;

/**
 * A fresh queue for each test on one Derby database per test class (creating a database costs
 * seconds; emptying its tables does not). Each test gets its own spool folder.
 */
public abstract class QueueTestBase {

    @TempDir
    static Path classFolder;

    private static TestDatabase database;

    protected QueueHarness queue;

    @BeforeAll
    static void openDatabase() throws Exception {
        database = TestDatabase.open(classFolder);
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    @BeforeEach
    void startQueue(@TempDir Path folder) throws Exception {
        database.clear();
        queue = QueueHarness.start(Files.createDirectories(folder), database, settings());
    }

    @AfterEach
    void stopQueue() {
        queue.close();
    }

    /** The queue's settings; tests override what they need. */
    protected QueueSettings settings() {
        return QueueHarness.settings();
    }
}
