package org.posthorn.queue.dispatch;

import static org.posthorn.queue.index.DeliveryResult.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.mail.DsnNotify;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.queue.RecipientState;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.queue.delivery.LocalDelivery;
import org.posthorn.queue.delivery.Outcome;
import org.posthorn.queue.dsn.Notifier;
import org.posthorn.queue.dsn.ReportLine;
import org.posthorn.queue.filter.ChainMessage;
import org.posthorn.queue.filter.FilterChain;
import org.posthorn.queue.filter.FilterRun;
import org.posthorn.queue.filter.MessageHeader;
import org.posthorn.queue.index.DeliveryResult;
import org.posthorn.queue.index.EntryRecord;
import org.posthorn.queue.index.ErrorKind;
import org.posthorn.queue.index.QueueIndex;
import org.posthorn.queue.index.RecipientRecord;
import org.posthorn.queue.index.Sql;
import org.posthorn.queue.remote.RecipientOutcome;
import org.posthorn.queue.remote.RemoteDelivery;
import org.posthorn.queue.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery attempt of one claimed entry: the filter chain (once per message), then every
 * due recipient (local ones into the mailbox store after alias expansion, remote ones per
 * destination domain through {@link RemoteDelivery}), then the DSNs owed to the sender, and
 * finally the entry is removed (all done) or given back with its next due time.
 *
 * <p>Each recipient's new state is saved as soon as its delivery call returns, so a crash
 * repeats as little as possible.
 */
public final class MessageDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(MessageDelivery.class);
    /** How many alias or forward expansions a recipient may go through before it is taken for a loop. */
    static final int MAX_HOPS = 8;

    private final QueueIndex index;
    private final Spool spool;
    private final FilterChain filters;
    private final LocalDelivery local;
    private final Supplier<UserDirectory> users;
    private final Supplier<RemoteDelivery> remote;
    private final Notifier notifier;
    private final QueueSettings settings;
    private final Clock clock;
    private final AtomicLong servicesReturned = new AtomicLong();

    public MessageDelivery(QueueIndex index, Spool spool, FilterChain filters, LocalDelivery local,
                           Supplier<UserDirectory> users, Supplier<RemoteDelivery> remote, Notifier notifier,
                           QueueSettings settings, Clock clock) {
        this.index = index;
        this.spool = spool;
        this.filters = filters;
        this.local = local;
        this.users = users;
        this.remote = remote;
        this.notifier = notifier;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Notes that a service the queue waits for has returned. An attempt running meanwhile may
     * have found it missing after the waiting entries were made due; its deferrals for
     * unavailability are then due at once instead of after {@code unavailable.retry}.
     */
    public void serviceReturned() {
        servicesReturned.incrementAndGet();
    }

    /** Works on entry {@code id}, whose lease {@code owner} holds; gives the lease back or removes the entry. */
    public void process(String id, String owner) throws SQLException, IOException {
        EntryRecord entry = index.load(id).orElse(null);
        if (entry != null) {
            new Attempt(entry, owner).run();
        }
    }

    private enum Locality { LOCAL, REMOTE, UNKNOWN }

    private final class Attempt {
        private final String id;
        private final String owner;
        private final Instant now;
        private EntryRecord entry;
        private List<RecipientRecord> rows;
        private final Map<String, Locality> localities = new HashMap<>();
        private final long servicesReturnedAtStart = servicesReturned.get();

        Attempt(EntryRecord entry, String owner) {
            this.id = entry.id();
            this.entry = entry;
            this.owner = owner;
            this.rows = new ArrayList<>(entry.recipients());
            this.now = clock.instant();
        }

        void run() throws SQLException, IOException {
            if (entry.held()) {
                index.release(id, owner, entry.nextAttempt());
                return;
            }
            if (!spool.exists(id)) {
                LOG.error("{}: SPOOL FILE MISSING ({}): the entry is held; restore the file and release it, or delete it",
                        id, spool.file(id));
                index.hold(id, "spool file missing");
                index.release(id, owner, entry.nextAttempt());
                return;
            }
            if (!entry.filtered()) {
                FilterRun.Decision decision = filter();
                if (decision == FilterRun.Decision.DROP) {
                    return;
                }
                if (decision != FilterRun.Decision.DELIVER) {
                    finish();
                    return;
                }
            }
            if (deliverDue()) {
                finish();
            }
        }

        private FilterRun.Decision filter() throws SQLException, IOException {
            byte[] header = spool.readHeader(id, entry.bodyOffset());
            boolean truncated = header.length < entry.bodyOffset();
            FilterRun run = filters.run(id, entry.envelope(), spool.original(id), MessageHeader.parse(header, truncated),
                    settings.filtersFailClosed());
            switch (run.decision()) {
                case DROP -> {
                    LOG.info("{}: dropped by filter {}: {}", id, run.filterName(), run.verdict().text());
                    complete();
                }
                case REJECT -> {
                    FilterVerdict v = run.verdict();
                    DeliveryResult result = new DeliveryResult(v.replyCode(),
                            v.enhancedCode() == null ? "5.7.1" : v.enhancedCode(),
                            v.text() == null ? "rejected by a filter" : v.text(), null);
                    LOG.info("{}: rejected by filter {}: {}", id, run.filterName(), result.text());
                    for (RecipientRecord r : open()) {
                        r.failedAttempt(now, result, wantsReport(r, DsnNotify.FAILURE));
                    }
                    saveAll(rows);
                }
                case DEFER -> {
                    DeliveryResult result = local("4.3.0", "filter " + run.filterName() + " failed: " + run.failure());
                    for (RecipientRecord r : open()) {
                        defer(r, ErrorKind.TEMPORARY, result);
                    }
                    saveAll(rows);
                }
                case DELIVER -> saveFilterResult(run.message(), header.length);
            }
            return run.decision();
        }

        private void saveFilterResult(ChainMessage message, int headerLength) throws SQLException {
            if (!message.changed() && rows.stream().allMatch(r -> r.state() == RecipientState.PENDING)) {
                index.markFiltered(id);
                return;
            }
            List<RecipientRecord> filtered = new ArrayList<>();
            Map<Integer, FilterVerdict> rejected = new HashMap<>();
            for (Recipient r : message.envelope().recipients()) {
                FilterVerdict rejection = message.rejectionOf(r.address());
                if (rejection != null) {
                    rejected.put(filtered.size(), rejection);
                    filtered.add(new RecipientRecord(filtered.size(), null, 0, r, null, null, now));
                    continue;
                }
                // one row per copy: a recipient a filter gave several copies (keep + fileinto :copy) gets several
                for (LocalCopy copy : message.copiesOf(r.address())) {
                    filtered.add(new RecipientRecord(filtered.size(), null, 0, r, null, copy.mailbox(), now)
                            .withFlags(copy.flags()));
                }
            }
            index.saveFiltered(id, message.editedHeader(), headerLength, filtered);
            entry = index.load(id).orElseThrow(() -> new SQLException("entry " + id + " vanished while leased"));
            rows = new ArrayList<>(entry.recipients());
            List<RecipientRecord> failed = new ArrayList<>();
            for (RecipientRecord r : rows) {
                FilterVerdict v = rejected.get(r.number());
                if (v != null) {
                    fail(r, new DeliveryResult(v.replyCode(), v.enhancedCode() == null ? "5.7.1" : v.enhancedCode(),
                            v.text() == null ? "rejected by a filter" : v.text(), null));
                    failed.add(r);
                }
            }
            if (!failed.isEmpty()) {
                saveAll(failed);
            }
        }

        /** Delivers every due recipient; false if the lease was lost on the way (then nothing more is done). */
        private boolean deliverDue() throws SQLException, IOException {
            Deque<RecipientRecord> work = new ArrayDeque<>(rows.stream().filter(r -> r.isDue(now)).toList());
            List<RecipientRecord> locals = new ArrayList<>();
            Map<String, List<RecipientRecord>> remotes = new LinkedHashMap<>();
            while (!work.isEmpty()) {
                RecipientRecord r = work.poll();
                if (r.account() != null) {
                    locals.add(r);
                    continue;
                }
                String domain = r.recipient().address().domain();
                switch (locality(domain)) {
                    case REMOTE -> remotes.computeIfAbsent(domain, d -> new ArrayList<>()).add(r);
                    case LOCAL -> work.addAll(expand(r));
                    case UNKNOWN -> {
                        defer(r, ErrorKind.UNAVAILABLE, local("4.3.0", "the user directory is unavailable"));
                        index.update(id, r);
                    }
                }
            }
            for (RecipientRecord r : locals) {
                if (!renewLease()) {
                    return false;
                }
                deliverLocal(r);
            }
            for (Map.Entry<String, List<RecipientRecord>> domain : remotes.entrySet()) {
                if (!renewLease()) {
                    return false;
                }
                deliverRemote(domain.getKey(), domain.getValue());
            }
            return true;
        }

        private Locality locality(String domain) {
            return localities.computeIfAbsent(domain, d -> {
                UserDirectory directory = users.get();
                if (directory == null) {
                    return Locality.UNKNOWN;
                }
                try {
                    return directory.isLocalDomain(d) ? Locality.LOCAL : Locality.REMOTE;
                } catch (DirectoryUnavailableException | RuntimeException e) {
                    LOG.warn("{}: cannot tell whether {} is local: {}", id, d, e.toString());
                    return Locality.UNKNOWN;
                }
            });
        }

        /** Resolves a local address into account and forward rows; returns them (empty if it failed or waits). */
        private List<RecipientRecord> expand(RecipientRecord r) throws SQLException {
            MailAddress address = r.recipient().address();
            UserDirectory directory = users.get();
            Resolution resolution;
            try {
                if (directory == null) {
                    throw new DirectoryUnavailableException("the user directory is not running", null);
                }
                resolution = directory.resolve(address);
            } catch (DirectoryUnavailableException | RuntimeException e) {
                defer(r, ErrorKind.UNAVAILABLE, local("4.3.0", "the user directory is unavailable: " + e.getMessage()));
                index.update(id, r);
                return List.of();
            }
            int children = resolution.accounts().size() + resolution.forwards().size();
            if (resolution.isUnknown()) {
                fail(r, local("5.1.1", "no such user here: " + address));
                return List.of();
            }
            if (r.hops() >= MAX_HOPS || rows.size() + children > QueueIndex.MAX_RECIPIENT_ROWS) {
                fail(r, local("5.4.6", "alias or forwarding loop at " + address));
                return List.of();
            }
            int number = rows.stream().mapToInt(RecipientRecord::number).max().orElse(-1) + 1;
            List<RecipientRecord> added = new ArrayList<>();
            for (String account : resolution.accounts()) {
                added.add(new RecipientRecord(number++, r.number(), r.hops() + 1,
                        r.recipient().withAddress(accountAddress(account, address)), account, r.mailbox(), now)
                        .withFlags(r.flags()));
            }
            for (MailAddress forward : resolution.forwards()) {
                added.add(new RecipientRecord(number++, r.number(), r.hops() + 1, r.recipient().withAddress(forward),
                        null, null, now));
            }
            r.expanded(now);
            index.saveExpansion(id, r, added);
            rows.addAll(added);
            LOG.info("{}: <{}> resolved to accounts {} and forwards {}", id, address, resolution.accounts(),
                    resolution.forwards());
            return added;
        }

        private void deliverLocal(RecipientRecord r) throws SQLException, IOException {
            // RFC 5321 §4.4: the delivering server records the reverse-path in Return-Path
            String trace = "Return-Path: <" + (entry.envelope().sender() == null ? "" : entry.envelope().sender())
                    + ">\r\nDelivered-To: " + r.account() + "\r\n";
            Outcome outcome = local.deliver(r.account(), r.mailbox(), r.flags(),
                    source(trace.getBytes(StandardCharsets.UTF_8)), entry.arrival());
            apply(r, outcome, false);
            index.update(id, r);
        }

        private void deliverRemote(String domain, List<RecipientRecord> group) throws SQLException, IOException {
            RemoteDelivery delivery = remote.get();
            if (delivery == null) {
                for (RecipientRecord r : group) {
                    defer(r, ErrorKind.UNAVAILABLE, local("4.3.0", "remote delivery is not running"));
                }
                saveAll(group);
                return;
            }
            List<Recipient> recipients = group.stream().map(RecipientRecord::recipient).toList();
            List<RecipientOutcome> outcomes;
            String missing = "remote delivery gave no outcome";
            try {
                outcomes = delivery.deliver(domain, entry.envelope(), recipients, source(new byte[0]));
            } catch (RuntimeException e) {
                LOG.warn("{}: remote delivery to {} threw: {}", id, domain, e.toString(), e);
                outcomes = List.of();
                missing = "remote delivery failed: " + e;
            }
            for (int i = 0; i < group.size(); i++) {
                apply(group.get(i), remoteOutcome(outcomes, i, recipients.get(i), missing), true);
            }
            saveAll(group);
        }

        /** The message as it is delivered: the trace fields, then the filters' header (if changed), then the rest. */
        private MessageSource source(byte[] trace) throws IOException {
            byte[] header = entry.editedHeader();
            if (header == null) {
                return spool.withPrefix(id, trace, 0);
            }
            byte[] prefix = new byte[trace.length + header.length];
            System.arraycopy(trace, 0, prefix, 0, trace.length);
            System.arraycopy(header, 0, prefix, trace.length, header.length);
            return spool.withPrefix(id, prefix, entry.editedLength());
        }

        private void apply(RecipientRecord r, Outcome outcome, boolean viaRemote) {
            String to = r.recipient().address().toString();
            switch (outcome.status()) {
                case DELIVERED -> {
                    r.delivered(now, outcome.result(), viaRemote, wantsReport(r, DsnNotify.SUCCESS));
                    LOG.info("{}: to=<{}> status=sent ({})", id, to, outcome.result().text());
                }
                case FAILED -> fail(r, outcome.result());
                case DEFERRED -> {
                    defer(r, outcome.kind(), outcome.result());
                    LOG.info("{}: to=<{}> status={} ({})", id, to, r.state() == RecipientState.FAILED ? "bounced" : "deferred",
                            outcome.result().text());
                }
            }
        }

        private void fail(RecipientRecord r, DeliveryResult result) {
            r.failedAttempt(now, result, wantsReport(r, DsnNotify.FAILURE));
            LOG.info("{}: to=<{}> status=bounced ({} {})", id, r.recipient().address(), result.statusCode(), result.text());
        }

        /** A temporary failure: retried by the schedule, or failed for good once its time is up. */
        private void defer(RecipientRecord r, ErrorKind kind, DeliveryResult result) {
            Instant arrival = entry.arrival();
            if (kind == ErrorKind.QUOTA && !now.isBefore(arrival.plus(settings.quotaGrace()))) {
                r.failedAttempt(now, new DeliveryResult(result.replyCode(), "5.2.2", result.text(), result.remoteHost()),
                        wantsReport(r, DsnNotify.FAILURE));
            } else if (kind != ErrorKind.UNAVAILABLE && settings.retries().expired(arrival, now)) {
                String status = result.statusCode() != null && result.statusCode().startsWith("4.") ? result.statusCode() : "4.4.7";
                r.failedAttempt(now, new DeliveryResult(result.replyCode(), status,
                        "delivery time expired; last error: " + result.text(), result.remoteHost()),
                        wantsReport(r, DsnNotify.FAILURE));
            } else if (kind == ErrorKind.UNAVAILABLE) {
                r.deferred(now, result, kind, now.plus(settings.unavailableRetry()));
            } else {
                r.deferred(now, result, kind, settings.retries().next(r.attempts() + 1, now, arrival));
            }
        }

        private boolean wantsReport(RecipientRecord r, DsnNotify event) {
            return !entry.envelope().hasNullSender() && r.wants(event);
        }

        /** Queues the DSNs owed, then removes the entry if nothing is left to do, else gives it back. */
        private void finish() throws SQLException {
            retryAtOnceIfAServiceReturned();
            List<ReportLine> lines = new ArrayList<>();
            for (RecipientRecord r : rows) {
                if (r.notifyPending()) {
                    ReportLine.Action action = r.state() == RecipientState.FAILED ? ReportLine.Action.FAILED
                            : r.viaRemote() ? ReportLine.Action.RELAYED : ReportLine.Action.DELIVERED;
                    lines.add(new ReportLine(r, action));
                } else if (owesDelayWarning(r)) {
                    lines.add(new ReportLine(r, ReportLine.Action.DELAYED));
                }
            }
            boolean reported = lines.isEmpty() || report(lines);
            Instant next = rows.stream().filter(RecipientRecord::isOpen).map(RecipientRecord::nextAttempt)
                    .min(Comparator.naturalOrder()).orElse(null);
            if (next == null && reported) {
                complete();
                return;
            }
            if (!reported) {
                Instant soon = now.plus(settings.unavailableRetry());
                next = next == null || next.isAfter(soon) ? soon : next;
            }
            index.release(id, owner, next);
        }

        /**
         * A service may have returned while this attempt ran, after it found the service missing
         * but before its deferral was saved, so the queue's "retry what waited for it" missed
         * this entry. Such deferrals are due at once instead.
         */
        private void retryAtOnceIfAServiceReturned() throws SQLException {
            if (servicesReturned.get() == servicesReturnedAtStart) {
                return;
            }
            List<RecipientRecord> waiting = rows.stream().filter(r -> r.state() == RecipientState.DEFERRED
                    && r.errorKind() == ErrorKind.UNAVAILABLE && r.nextAttempt().isAfter(now)).toList();
            waiting.forEach(r -> r.retryAt(now));
            saveAll(waiting);
        }

        private boolean owesDelayWarning(RecipientRecord r) {
            return r.state() == RecipientState.DEFERRED && !r.delayReported() && wantsReport(r, DsnNotify.DELAY)
                    && !settings.delayWarning().isZero() && !now.isBefore(entry.arrival().plus(settings.delayWarning()));
        }

        private boolean report(List<ReportLine> lines) {
            List<RecipientRecord> changed = lines.stream().map(ReportLine::recipient).toList();
            for (ReportLine line : lines) {
                if (line.action() == ReportLine.Action.DELAYED) {
                    line.recipient().delayReported(true);
                } else {
                    line.recipient().reported();
                }
            }
            try {
                notifier.send(entry, lines, entry.arrival().plus(settings.retries().lifetime()), changed);
                return true;
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.error("{}: cannot queue the DSN to <{}>, will try again: {}", id, entry.envelope().sender(), e.toString(), e);
                return false;
            }
        }

        private void complete() throws SQLException {
            Sql.transaction(index.dataSource(), c -> index.delete(c, id));
            spool.delete(id);
            LOG.info("{}: removed from the queue", id);
        }

        private boolean renewLease() throws SQLException {
            if (index.renew(id, owner, clock.instant().plus(settings.leaseDuration()))) {
                return true;
            }
            LOG.warn("{}: lease lost (expired and taken by another dispatcher, or the entry was deleted); stopping", id);
            return false;
        }

        private List<RecipientRecord> open() {
            return rows.stream().filter(RecipientRecord::isOpen).toList();
        }

        private void saveAll(List<RecipientRecord> changed) throws SQLException {
            Sql.transaction(index.dataSource(), c -> {
                for (RecipientRecord r : changed) {
                    index.update(c, id, r);
                }
                return null;
            });
        }
    }

    /** The outcome remote delivery gave for the {@code i}-th recipient, or a deferral if it gave none. */
    private static Outcome remoteOutcome(List<RecipientOutcome> outcomes, int i, Recipient recipient, String missing) {
        RecipientOutcome o = i < outcomes.size() && outcomes.get(i).recipient().equals(recipient) ? outcomes.get(i)
                : outcomes.stream().filter(x -> x.recipient().equals(recipient)).findFirst().orElse(null);
        if (o == null) {
            return Outcome.deferred(ErrorKind.TEMPORARY, local("4.4.0", missing));
        }
        DeliveryResult result = new DeliveryResult(o.replyCode(), o.enhancedCode(), o.diagnostic(), o.remoteHost());
        return switch (o.status()) {
            case DELIVERED -> Outcome.delivered(result);
            case DEFERRED -> Outcome.deferred(ErrorKind.TEMPORARY, result);
            case FAILED -> Outcome.failed(result);
        };
    }

    /** The account name as an address for DSNs and logs; the alias itself if the name is not an address. */
    private static MailAddress accountAddress(String account, MailAddress alias) {
        try {
            return MailAddress.parse(account);
        } catch (IllegalArgumentException e) {
            return alias;
        }
    }
}
