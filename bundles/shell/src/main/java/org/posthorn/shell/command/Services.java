package org.posthorn.shell.command;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.net.ProtocolServer;

/**
 * What the commands work on. Each service may be missing at any moment (its bundle stopped or
 * being updated); asking for it then fails with a message that says so, and the other commands
 * keep working.
 */
public interface Services {

    UserAdmin users() throws CommandFailure;

    QueueAdmin queue() throws CommandFailure;

    MailboxStore store() throws CommandFailure;

    TlsMaterial tls() throws CommandFailure;

    /** The properties of a configuration (a {@code conf/<pid>.cfg}), if there is one. */
    Optional<Map<String, Object>> configuration(String pid) throws CommandFailure;

    /** Hands a configuration to its component again unchanged, which makes it reload what it reads. */
    void reapply(String pid) throws CommandFailure;

    /** The protocol servers running in this instance. */
    List<ProtocolServer> servers();

    /** Posthorn's own bundles with their versions and states. */
    List<BundleState> bundles();

    /** The data folder ({@code posthorn.data}). */
    Path dataFolder();

    record BundleState(String name, String version, String state) {
    }

    /** The message for a missing service: which one, and which bundle provides it. */
    static CommandFailure unavailable(String what, String bundle) {
        return new CommandFailure(what + " is not available (is the bundle " + bundle + " started? try lb)");
    }
}
