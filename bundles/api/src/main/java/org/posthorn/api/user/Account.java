package org.posthorn.api.user;

import java.util.Objects;

/**
 * A local account: one set of mailboxes and one password.
 *
 * @param name    the canonical login name, {@code local@domain} with the domain in lower case
 * @param enabled a disabled account cannot log in; mail to it is refused
 */
public record Account(String name, boolean enabled) {

    public Account {
        Objects.requireNonNull(name, "name");
    }
}
