package org.posthorn.itests;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.store.StoredMessage;
import org.posthorn.api.store.UidSet;

/** What a user finds in a mailbox of the shipped store, as the tests read it. */
final class Mailboxes {

    private Mailboxes() {
    }

    /** The messages of an account's INBOX as text, oldest first. */
    static List<String> inbox(MailboxStore store, String account) throws Exception {
        List<String> texts = new ArrayList<>();
        for (StoredMessage message : store.fetch(account, "INBOX", UidSet.ALL)) {
            try (InputStream in = message.source().openStream()) {
                texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return texts;
    }
}
