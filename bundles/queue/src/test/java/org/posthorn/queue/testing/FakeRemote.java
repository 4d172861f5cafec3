package org.posthorn.queue.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;
import org.posthorn.queue.remote.RecipientOutcome;
import org.posthorn.queue.remote.RemoteDelivery;

/**
 * Remote delivery that records every call and answers each recipient with what {@link #answer}
 * says (250 by default).
 */
public final class FakeRemote implements RemoteDelivery {

    /** One call: a message to the recipients of one domain. */
    public record Call(String domain, Envelope envelope, List<Recipient> recipients, byte[] message) {
        public String text() {
            return new String(message, StandardCharsets.UTF_8);
        }

        /** From the null sender and a delivery status report. */
        public boolean isDsn() {
            return envelope.hasNullSender() && text().contains("report-type=delivery-status");
        }

        public List<String> addresses() {
            return recipients.stream().map(r -> r.address().toString()).toList();
        }
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    public volatile Function<Recipient, RecipientOutcome> answer = FakeRemote::accepted;

    public static RecipientOutcome accepted(Recipient r) {
        return new RecipientOutcome(r, RecipientOutcome.Status.DELIVERED, 250, "2.0.0", "OK queued as 42", "mx.remote.test [192.0.2.25]");
    }

    public static RecipientOutcome deferred(Recipient r) {
        return new RecipientOutcome(r, RecipientOutcome.Status.DEFERRED, 451, "4.2.0", "greylisted, try again later", "mx.remote.test [192.0.2.25]");
    }

    public static RecipientOutcome rejected(Recipient r) {
        return new RecipientOutcome(r, RecipientOutcome.Status.FAILED, 550, "5.1.1", "no such user", "mx.remote.test [192.0.2.25]");
    }

    @Override
    public List<RecipientOutcome> deliver(String domain, Envelope envelope, List<Recipient> recipients, MessageSource message) {
        byte[] bytes;
        try (InputStream in = message.openStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        calls.add(new Call(domain, envelope, List.copyOf(recipients), bytes));
        List<RecipientOutcome> outcomes = new ArrayList<>();
        for (Recipient r : recipients) {
            outcomes.add(answer.apply(r));
        }
        return outcomes;
    }

    /** The calls that carried a DSN. */
    public List<Call> dsns() {
        return calls.stream().filter(Call::isDsn).toList();
    }

    /** The calls that carried anything but a DSN. */
    public List<Call> mail() {
        return calls.stream().filter(c -> !c.isDsn()).toList();
    }
}
