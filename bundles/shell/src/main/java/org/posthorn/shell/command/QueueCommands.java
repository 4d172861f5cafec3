package org.posthorn.shell.command;

import static org.posthorn.shell.command.Option.valued;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.posthorn.api.queue.EntryState;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.queue.QueueEntry;
import org.posthorn.api.queue.QueueQuery;
import org.posthorn.api.queue.RecipientStatus;
import org.posthorn.api.store.MailboxInfo;
import org.posthorn.api.store.MailboxStatus;
import org.posthorn.api.store.MailboxStore;

/** The mail queue on {@link QueueAdmin}, and mailboxes on {@link MailboxStore}. */
final class QueueCommands {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final Services services;

    QueueCommands(Services services) {
        this.services = services;
    }

    List<AdminCommand> commands() {
        return List.of(
                new AdminCommand("mailbox-list", "ACCOUNT",
                        "Lists an account's mailboxes with their message counts and sizes.", List.of(), 1, 1, call -> {
                            MailboxStore store = services.store();
                            String account = call.argument(0);
                            Table table = new Table("MAILBOX", "MESSAGES", "UNSEEN", "SIZE", "SPECIAL-USE", "SUBSCRIBED");
                            for (MailboxInfo box : store.mailboxes(account)) {
                                MailboxStatus status = store.status(account, box.name());
                                table.row(box.name(), status.messages(), status.unseen(), Table.bytes(status.size()),
                                        box.specialUse().isEmpty() ? "-" : box.specialUse().stream().map(Enum::name)
                                                .map(n -> "\\" + n.charAt(0) + n.substring(1).toLowerCase(Locale.ROOT))
                                                .sorted().reduce((a, b) -> a + " " + b).orElse("-"),
                                        box.subscribed() ? "yes" : "no");
                            }
                            table.print(call.out());
                        }),
                new AdminCommand("queue-list", "",
                        "Lists the queue's entries, oldest first: id, state, arrival, size, sender, recipients.",
                        List.of(valued("--state", "STATE", "only entries in STATE: queued, delivering, deferred, held"),
                                valued("--sender", "TEXT", "only entries whose sender contains TEXT (<> for bounces)"),
                                valued("--recipient", "TEXT", "only entries with a recipient containing TEXT"),
                                valued("--limit", "N", "at most N entries (default " + QueueQuery.DEFAULT_LIMIT + ")")),
                        0, 0, this::list),
                new AdminCommand("queue-show", "ID", "Shows one queue entry with the delivery state of each recipient.",
                        List.of(), 1, 1, this::show),
                new AdminCommand("queue-retry", "ID|all",
                        "Makes the entry's waiting recipients (or those of every entry) due now. Held entries stay held.",
                        List.of(), 1, 1, call -> {
                            QueueAdmin queue = services.queue();
                            if (call.argument(0).equals("all")) {
                                call.out().println(queue.retryAll() + " entries are due now");
                            } else {
                                require(queue.retryNow(call.argument(0)), call.argument(0), "retried");
                                call.out().println("Entry " + call.argument(0) + " is due now");
                            }
                        }),
                new AdminCommand("queue-hold", "ID", "Stops delivery of an entry until queue-release.",
                        List.of(valued("--reason", "TEXT", "why, shown by queue-list and queue-show")), 1, 1, call -> {
                            require(services.queue().hold(call.argument(0), call.option("--reason").orElse("held by an admin")),
                                    call.argument(0), "held");
                            call.out().println("Entry " + call.argument(0) + " held");
                        }),
                new AdminCommand("queue-release", "ID", "Lets a held entry be delivered again.", List.of(), 1, 1, call -> {
                    require(services.queue().release(call.argument(0)), call.argument(0), "released");
                    call.out().println("Entry " + call.argument(0) + " released");
                }),
                new AdminCommand("queue-delete", "ID",
                        "Removes an entry and its message without delivering it further and without telling the sender.",
                        List.of(), 1, 1, call -> {
                            require(services.queue().delete(call.argument(0)), call.argument(0), "deleted");
                            call.out().println("Entry " + call.argument(0) + " deleted");
                        }),
                new AdminCommand("queue-bounce", "ID",
                        "Gives up on the entry's undelivered recipients; the sender gets a bounce.",
                        List.of(valued("--reason", "TEXT", "the reason in the bounce")), 1, 1, call -> {
                            require(services.queue().bounce(call.argument(0),
                                    call.option("--reason").orElse("delivery cancelled by the administrator")),
                                    call.argument(0), "bounced");
                            call.out().println("Entry " + call.argument(0) + " bounced");
                        }));
    }

    private void list(Invocation call) throws Exception {
        EntryState state = null;
        if (call.option("--state").isPresent()) {
            try {
                state = EntryState.valueOf(call.option("--state").get().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CommandFailure.usage("--state: one of queued, delivering, deferred, held");
            }
        }
        long limit = call.count("--limit").orElse((long) QueueQuery.DEFAULT_LIMIT);
        QueueQuery query = new QueueQuery(call.option("--sender").orElse(null), call.option("--recipient").orElse(null),
                state, (int) Math.max(1, Math.min(limit, Integer.MAX_VALUE)));
        Table table = new Table("ID", "STATE", "ARRIVAL", "SIZE", "SENDER", "RECIPIENTS");
        List<QueueEntry> entries = services.queue().list(query);
        for (QueueEntry e : entries) {
            table.row(e.id(), e.state().name().toLowerCase(Locale.ROOT), TIME.format(e.arrival()), Table.bytes(e.size()),
                    e.sender() == null ? "<>" : e.sender(), recipients(e));
        }
        table.print(call.out());
        call.out().println(entries.size() == 1 ? "1 entry" : entries.size() + " entries");
    }

    private static String recipients(QueueEntry entry) {
        List<RecipientStatus> waiting = entry.recipients().stream()
                .filter(r -> r.state() != org.posthorn.api.queue.RecipientState.EXPANDED).toList();
        return waiting.isEmpty() ? "-" : waiting.get(0).address() + (waiting.size() > 1 ? " +" + (waiting.size() - 1) : "");
    }

    private void show(Invocation call) throws Exception {
        QueueEntry e = services.queue().entry(call.argument(0))
                .orElseThrow(() -> new CommandFailure("no queue entry " + call.argument(0)));
        var out = call.out();
        out.println("Id:           " + e.id());
        out.println("State:        " + e.state().name().toLowerCase(Locale.ROOT)
                + (e.holdReason() == null ? "" : " (" + e.holdReason() + ")"));
        out.println("Sender:       " + (e.sender() == null ? "<>" : e.sender()));
        out.println("Arrival:      " + time(e.arrival()));
        out.println("Size:         " + Table.bytes(e.size()));
        out.println("Next attempt: " + time(e.nextAttempt()));
        Table table = new Table("RECIPIENT", "ACCOUNT", "STATE", "ATTEMPTS", "LAST", "NEXT", "STATUS", "LAST ERROR");
        for (RecipientStatus r : e.recipients()) {
            table.row(r.address(), r.account(), r.state().name().toLowerCase(Locale.ROOT), r.attempts(),
                    time(r.lastAttempt()), time(r.nextAttempt()), r.statusCode(),
                    r.lastError() == null ? null : r.lastError() + (r.remoteHost() == null ? "" : " (" + r.remoteHost() + ")"));
        }
        table.print(out);
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant);
    }

    private static void require(boolean done, String id, String what) throws CommandFailure {
        if (!done) {
            throw new CommandFailure("entry " + id + " was not " + what + ": there is no such entry, or it is being"
                    + " delivered right now (try again in a moment)");
        }
    }

    /** Queue depth by state, for {@code status}. */
    static String depth(Map<EntryState, Long> counts) {
        StringBuilder text = new StringBuilder();
        for (EntryState state : EntryState.values()) {
            text.append(text.length() == 0 ? "" : ", ").append(counts.getOrDefault(state, 0L)).append(' ')
                    .append(state.name().toLowerCase(Locale.ROOT));
        }
        return text.toString();
    }
}
