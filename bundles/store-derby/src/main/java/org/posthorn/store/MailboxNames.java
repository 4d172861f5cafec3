package org.posthorn.store;

import java.util.Locale;

import org.posthorn.api.store.StoreException;

/** Validation and canonical spelling of mailbox names (see {@code MailboxStore}). */
final class MailboxNames {

    static final String INBOX = "INBOX";
    static final char DELIMITER = '/';
    static final int MAX_LENGTH = 512;

    private MailboxNames() {
    }

    /** The canonical name: INBOX (also as first level) in upper case; invalid names refused. */
    static String canonical(String name) throws StoreException {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.charAt(0) == DELIMITER
                || name.charAt(name.length() - 1) == DELIMITER || name.contains("//")) {
            throw invalid(name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '*' || c == '%') {
                throw invalid(name);
            }
        }
        int slash = name.indexOf(DELIMITER);
        String first = slash < 0 ? name : name.substring(0, slash);
        if (first.toUpperCase(Locale.ROOT).equals(INBOX) && !first.equals(INBOX)) {
            return INBOX + name.substring(first.length());
        }
        return name;
    }

    static boolean isInbox(String canonical) {
        return INBOX.equals(canonical);
    }

    static String parent(String canonical) {
        int slash = canonical.lastIndexOf(DELIMITER);
        return slash < 0 ? null : canonical.substring(0, slash);
    }

    private static StoreException invalid(String name) {
        return new StoreException(StoreException.Reason.INVALID_NAME, "invalid mailbox name: " + name);
    }
}
