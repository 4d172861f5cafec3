package org.posthorn.pop3.session;

import java.util.Locale;

/** The POP3 commands this server knows, and in which state each is valid (RFC 1939 §§4-6, RFC 2449, RFC 2595, RFC 5034). */
enum Command {
    USER(true, false),
    PASS(true, false),
    APOP(true, false),
    AUTH(true, false),
    STLS(true, false),
    CAPA(true, true),
    QUIT(true, true),
    STAT(false, true),
    LIST(false, true),
    RETR(false, true),
    DELE(false, true),
    NOOP(false, true),
    RSET(false, true),
    TOP(false, true),
    UIDL(false, true);

    private final boolean beforeLogin;
    private final boolean afterLogin;

    Command(boolean beforeLogin, boolean afterLogin) {
        this.beforeLogin = beforeLogin;
        this.afterLogin = afterLogin;
    }

    /** Valid in the AUTHORIZATION state. */
    boolean beforeLogin() {
        return beforeLogin;
    }

    /** Valid in the TRANSACTION state. */
    boolean afterLogin() {
        return afterLogin;
    }

    /** The command of this keyword (case-insensitive, RFC 1939 §3), or null. */
    static Command of(String keyword) {
        if (keyword.length() < 3 || keyword.length() > 4) {
            return null;
        }
        try {
            return valueOf(keyword.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
