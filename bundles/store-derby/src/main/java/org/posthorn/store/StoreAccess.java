package org.posthorn.store;

import java.sql.Connection;
import java.sql.SQLException;

/** What the user directory (package {@code org.posthorn.store.user}) needs of the store's tables. */
public final class StoreAccess {

    private StoreAccess() {
    }

    public static StoreSettings settings(StoreConfig config) {
        return StoreSettings.of(config);
    }

    /** Creates and subscribes INBOX, Sent, Drafts, Trash, Junk and Archive for a new account. */
    public static void createStandardMailboxes(Connection c, int accountId) throws SQLException {
        MailboxRows.createStandard(c, accountId);
    }

    /** Deletes every mailbox and message of an account; raw messages are left to the purger. */
    public static void deleteMailboxes(Connection c, int accountId) throws SQLException {
        MailboxRows.deleteAll(c, accountId);
    }
}
