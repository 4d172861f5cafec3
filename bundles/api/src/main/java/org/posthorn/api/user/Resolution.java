package org.posthorn.api.user;

import java.util.List;

import org.posthorn.api.mail.MailAddress;

/**
 * What one recipient address reaches after aliases and catch-alls are applied.
 *
 * @param accounts  local accounts to deliver to (canonical names)
 * @param forwards  external addresses to forward to
 */
public record Resolution(List<String> accounts, List<MailAddress> forwards) {

    public static final Resolution UNKNOWN = new Resolution(List.of(), List.of());

    public Resolution {
        accounts = List.copyOf(accounts);
        forwards = List.copyOf(forwards);
    }

    /** True if the address is in a local domain but reaches nobody: SMTP answers 550 5.1.1. */
    public boolean isUnknown() {
        return accounts.isEmpty() && forwards.isEmpty();
    }
}
