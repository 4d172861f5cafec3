package org.posthorn.imap.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.posthorn.api.store.MailboxEvent;
import org.posthorn.api.store.MailboxListener;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.net.ListenerStatus;
import org.posthorn.net.ProtocolServer;

/**
 * The running IMAP server: its listeners, its sessions, and the routing of mailbox change
 * events to the sessions of the account they concern. The services it uses may come and go
 * (the suppliers return null while one is missing); sessions then answer {@code NO [UNAVAILABLE]}.
 * Thread-safe.
 */
public final class ImapService implements MailboxListener, AutoCloseable {

    private final Supplier<MailboxStore> store;
    private final Supplier<UserDirectory> users;
    private final ConcurrentHashMap<String, Set<ImapSession>> sessionsByAccount = new ConcurrentHashMap<>();
    private final ProtocolServer server;
    /** Sessions in IDLE, told {@code * OK Still here} now and then. */
    private final Set<ImapSession> idling = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "imap-idle-keepalive");
        thread.setDaemon(true);
        return thread;
    });
    private volatile ImapSettings settings;
    private ScheduledFuture<?> keepAliveTask;

    public ImapService(ImapSettings settings, Supplier<MailboxStore> store, Supplier<UserDirectory> users,
                       Supplier<Optional<TlsMaterial>> tls) {
        this.settings = settings;
        this.store = store;
        this.users = users;
        this.server = ProtocolServer.start(settings.server(), connection -> new ImapSession(connection, this), tls);
        scheduleKeepAlive(settings.idleKeepAlive());
    }

    /** New limits apply to the next command; changed listeners are rebound. */
    public void reconfigure(ImapSettings newSettings) {
        ImapSettings old = settings;
        settings = newSettings;
        server.reconfigure(newSettings.server());
        if (!old.idleKeepAlive().equals(newSettings.idleKeepAlive())) {
            scheduleKeepAlive(newSettings.idleKeepAlive());
        }
    }

    private synchronized void scheduleKeepAlive(Duration interval) {
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
            keepAliveTask = null;
        }
        if (!interval.isZero()) {
            long millis = interval.toMillis();
            keepAliveTask = keepAlive.scheduleAtFixedRate(() -> idling.forEach(ImapSession::keepAlive), millis, millis,
                    TimeUnit.MILLISECONDS);
        }
    }

    public List<ListenerStatus> listeners() {
        return server.listeners();
    }

    /** Says BYE to every session and frees the ports. */
    @Override
    public void close() {
        keepAlive.shutdownNow();
        server.close();
    }

    /** Called by the store on its event thread: hands the event to the account's sessions. */
    @Override
    public void changed(MailboxEvent event) {
        Set<ImapSession> sessions = sessionsByAccount.get(event.account());
        if (sessions != null) {
            for (ImapSession session : sessions) {
                session.mailboxChanged(event);
            }
        }
    }

    ImapSettings settings() {
        return settings;
    }

    MailboxStore store() {
        return store.get();
    }

    UserDirectory users() {
        return users.get();
    }

    /** A session entered ({@code true}) or left IDLE. */
    void idling(ImapSession session, boolean idle) {
        if (idle) {
            idling.add(session);
        } else {
            idling.remove(session);
        }
    }

    void register(String account, ImapSession session) {
        sessionsByAccount.computeIfAbsent(account, a -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void unregister(String account, ImapSession session) {
        sessionsByAccount.computeIfPresent(account, (a, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }
}
