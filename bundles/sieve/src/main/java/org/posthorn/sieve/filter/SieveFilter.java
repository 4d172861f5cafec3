package org.posthorn.sieve.filter;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.LocalCopy;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.Recipient;
import org.posthorn.api.user.DirectoryUnavailableException;
import org.posthorn.api.user.Resolution;
import org.posthorn.api.user.UserDirectory;
import org.posthorn.sieve.script.Outcome;
import org.posthorn.sieve.script.Script;
import org.posthorn.sieve.script.ScriptException;
import org.posthorn.sieve.script.SieveMail;
import org.posthorn.sieve.store.ScriptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each local recipient's active Sieve script and tells the queue the result for that
 * recipient alone: which mailboxes with which flags, a rejection, a redirect, or nothing
 * (discard). Recipients without a script, remote ones, and addresses that reach several
 * accounts or forwards (lists, whose members' scripts cannot each decide for the one address)
 * are left as they are.
 */
public final class SieveFilter implements MessageFilter {

    private static final Logger LOG = LoggerFactory.getLogger(SieveFilter.class);

    private final ScriptStore scripts;
    private final Supplier<UserDirectory> users;
    private final VacationResponder vacation;
    private final int bodyLimit;

    public SieveFilter(ScriptStore scripts, Supplier<UserDirectory> users, VacationResponder vacation, int bodyLimit) {
        this.scripts = scripts;
        this.users = users;
        this.vacation = vacation;
        this.bodyLimit = bodyLimit;
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) throws SQLException, DirectoryUnavailableException {
        UserDirectory directory = users.get();
        if (directory == null) {
            // the queue then skips this filter or defers the message, as the admin chose
            throw new DirectoryUnavailableException("the user directory is not running", null);
        }
        List<Recipient> recipients = new ArrayList<>();
        boolean changed = false;
        for (Recipient r : message.envelope().recipients()) {
            String account = scriptOwner(directory, r.address());
            Optional<String> text = account == null ? Optional.empty() : scripts.active(account);
            if (text.isEmpty()) {
                recipients.add(r);
                continue;
            }
            Outcome outcome = run(message, account, r.address(), text.get());
            List<MailAddress> targets = redirectTargets(outcome);
            if (targets == null) {
                // RFC 5228 §2.10.6: an action that cannot be carried out is an error, and errors keep
                LOG.warn("{}: Sieve script of {} redirects to an invalid address {}; delivering to INBOX",
                        message.queueId(), account, outcome.redirects());
                outcome = Outcome.keep();
                targets = List.of();
            }
            if (outcome.vacation() != null) {
                vacation.respond(message, account, r.address(), outcome.vacation());
            }
            if (outcome.reject() != null) {
                message.rejectRecipient(r.address(), 550, "5.7.1", outcome.reject().strip().replaceAll("\\s*\r?\n\\s*", " "));
                recipients.add(r);
                LOG.info("{}: Sieve script of {} rejects the message", message.queueId(), account);
                continue;
            }
            for (MailAddress target : targets) {
                recipients.add(r.withAddress(target));
                changed = true;
            }
            if (outcome.copies().isEmpty()) {
                changed = true;
                if (outcome.redirects().isEmpty()) {
                    LOG.info("{}: Sieve script of {} discards the message", message.queueId(), account);
                }
                continue;
            }
            message.fileInto(r.address(), outcome.copies().stream()
                    .map(c -> new LocalCopy(c.mailbox(), c.flags())).toList());
            recipients.add(r);
        }
        if (!changed) {
            return FilterVerdict.CONTINUE;
        }
        if (recipients.isEmpty()) {
            return FilterVerdict.drop("discarded by Sieve");
        }
        message.setRecipients(recipients);
        return FilterVerdict.CONTINUE;
    }

    /** The redirect addresses, or null if one is not a valid address. */
    private static List<MailAddress> redirectTargets(Outcome outcome) {
        List<MailAddress> targets = new ArrayList<>();
        for (String target : outcome.redirects()) {
            try {
                targets.add(MailAddress.parse(target));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return targets;
    }

    /** The one account whose script decides for this address, or null. */
    private static String scriptOwner(UserDirectory directory, MailAddress address) throws DirectoryUnavailableException {
        if (!directory.isLocalDomain(address.domain())) {
            return null;
        }
        Resolution resolution = directory.resolve(address);
        return resolution.accounts().size() == 1 && resolution.forwards().isEmpty() ? resolution.accounts().get(0) : null;
    }

    private Outcome run(FilteredMessage message, String account, MailAddress recipient, String text) {
        Script script;
        try {
            script = Script.compile(text);
        } catch (ScriptException e) {
            // scripts are checked when stored; one that fails now (an older server's) keeps the mail
            LOG.warn("{}: the active Sieve script of {} is broken ({}); delivering to INBOX", message.queueId(), account,
                    e.getMessage());
            return Outcome.keep();
        }
        return script.run(new Mail(message, recipient), bodyLimit);
    }

    /** The filtered message as the interpreter sees it, for one recipient. */
    private record Mail(FilteredMessage message, MailAddress recipient) implements SieveMail {

        @Override
        public List<String> header(String name) {
            return message.header(name);
        }

        @Override
        public String envelopeFrom() {
            MailAddress sender = message.envelope().sender();
            return sender == null ? "" : sender.toString();
        }

        @Override
        public String envelopeTo() {
            return recipient.toString();
        }

        @Override
        public long size() {
            return message.original().size();
        }

        @Override
        public InputStream open() throws IOException {
            return message.original().openStream();
        }
    }
}
