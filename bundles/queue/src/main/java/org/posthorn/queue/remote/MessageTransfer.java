package org.posthorn.queue.remote;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.posthorn.api.mail.BodyType;
import org.posthorn.api.mail.DsnReturn;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;
import org.posthorn.queue.remote.RecipientOutcome.Status;

/**
 * One mail transaction (RFC 5321 §3.3) for one message and its recipients over a ready
 * connection: the extension checks that can fail a message before anything is sent, MAIL and
 * RCPT (pipelined when the server offers PIPELINING, RFC 2920), DATA with the message streamed
 * from its source, and an outcome per recipient. The object belongs to one delivery call and
 * may run over several connections in turn (one per host tried).
 */
final class MessageTransfer {

    private static final int COPY_BUFFER = 64 * 1024;

    private final RemoteDeliveryConfig config;
    private final Envelope envelope;
    private final List<Recipient> recipients;
    private final MessageSource message;
    private ContentScan scan;

    MessageTransfer(RemoteDeliveryConfig config, Envelope envelope, List<Recipient> recipients, MessageSource message) {
        this.config = config;
        this.envelope = envelope;
        this.recipients = List.copyOf(recipients);
        this.message = message;
    }

    List<Recipient> recipients() {
        return recipients;
    }

    /**
     * Sends the message over {@code c}.
     *
     * @return an outcome per recipient, in order: this host's definitive answer
     * @throws AttemptFailed when nothing was delivered and another host may do better (the
     *                       connection broke before the end of data, or the server closed it
     *                       with 421), or when the message could not be read
     */
    List<RecipientOutcome> over(SmtpConnection c) throws AttemptFailed {
        ServerCapabilities caps = c.capabilities();
        String host = c.remoteHost();
        long limit = caps.sizeLimit();
        if (limit > 0 && message.size() > limit) {
            // RFC 1870 §6: no point sending what the server already said it will refuse.
            return Verdict.failed("5.3.4", "message size " + message.size() + " exceeds the limit of "
                    + limit + " of " + host).at(host).outcomes(recipients);
        }
        String mailFrom;
        try {
            mailFrom = mailFrom(caps, host);
        } catch (Unsendable e) {
            return e.verdict.at(host).outcomes(recipients);
        } catch (IOException e) {
            throw unreadable(e);
        }
        List<String> rcpts = recipients.stream().map(r -> rcptTo(r, caps)).toList();
        Exchange exchange = new Exchange(c);
        try {
            return caps.has("PIPELINING") ? exchange.pipelined(mailFrom, rcpts) : exchange.stepwise(mailFrom, rcpts);
        } catch (IOException e) {
            c.markBroken();
            if (exchange.endOfDataSent) {
                // RFC 1047: the server may have the message; a retry later may duplicate it.
                return Verdict.deferred("4.4.2", "connection to " + c.label() + " lost after end of data: "
                        + SessionOpener.describe(e)).at(host).outcomes(recipients);
            }
            throw new AttemptFailed(Verdict.deferred("4.4.2", "connection to " + c.label() + " lost: "
                    + SessionOpener.describe(e)).at(host), true);
        } catch (SourceFailure e) {
            // Mid-DATA: closing without the final dot makes the server discard the partial message.
            c.close();
            throw unreadable(e.getCause());
        }
    }

    private String mailFrom(ServerCapabilities caps, String host) throws Unsendable, IOException {
        MailAddress sender = envelope.sender();
        StringBuilder line = new StringBuilder("MAIL FROM:<").append(sender == null ? "" : sender).append('>');
        if (caps.has("SIZE")) {
            line.append(" SIZE=").append(message.size());
        }
        String body = bodyParameter(caps, host);
        if (body != null) {
            line.append(" BODY=").append(body);
        }
        if (needsSmtpUtf8(caps, host)) {
            line.append(" SMTPUTF8");
        }
        if (caps.has("DSN")) {
            if (envelope.ret() != null) {
                line.append(" RET=").append(envelope.ret() == DsnReturn.FULL ? "FULL" : "HDRS");
            }
            if (envelope.envelopeId() != null) {
                line.append(" ENVID=").append(Xtext.encode(envelope.envelopeId()));
            }
        }
        return line.toString();
    }

    /**
     * RFC 6152: BODY=8BITMIME when the message was submitted as 8-bit and the server offers it.
     * Without 8BITMIME a message that turns out to be 7-bit goes as it is; an 8-bit one fails
     * (5.6.3): converting it to 7-bit MIME is not implemented. BINARYMIME would need CHUNKING,
     * which this client does not speak, so such a message goes as 8BITMIME only if its content
     * fits 8BITMIME's line rules.
     */
    private String bodyParameter(ServerCapabilities caps, String host) throws Unsendable, IOException {
        if (envelope.bodyType() == BodyType.SEVEN_BIT) {
            return null;
        }
        if (envelope.bodyType() == BodyType.BINARY_MIME && scan().binary()) {
            throw new Unsendable(Verdict.failed("5.6.3", "binary message content needs BINARYMIME and CHUNKING,"
                    + " which this server does not send"));
        }
        if (caps.has("8BITMIME")) {
            return "8BITMIME";
        }
        if (scan().eightBitHeader() || scan().eightBitBody()) {
            throw new Unsendable(Verdict.failed("5.6.3", host + " does not support 8BITMIME and the message has"
                    + " 8-bit content; conversion to 7-bit is not implemented"));
        }
        return null;
    }

    /**
     * RFC 6531 §3.4: SMTPUTF8 is needed for a non-ASCII address, or for a message submitted with
     * SMTPUTF8 whose header really has UTF-8. Without it at the server such a message fails (5.6.7).
     */
    private boolean needsSmtpUtf8(ServerCapabilities caps, String host) throws Unsendable, IOException {
        boolean asciiAddresses = (envelope.sender() == null || envelope.sender().isAscii())
                && recipients.stream().allMatch(r -> r.address().isAscii());
        if (caps.has("SMTPUTF8")) {
            return envelope.smtpUtf8() || !asciiAddresses;
        }
        if (!asciiAddresses || (envelope.smtpUtf8() && scan().eightBitHeader())) {
            throw new Unsendable(Verdict.failed("5.6.7", host + " does not support SMTPUTF8, which this message needs"));
        }
        return false;
    }

    private static String rcptTo(Recipient r, ServerCapabilities caps) {
        StringBuilder line = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
        if (caps.has("DSN")) {
            if (!r.notifyOn().isEmpty()) {
                line.append(" NOTIFY=").append(r.notifyOn().stream().sorted().map(Enum::name)
                        .collect(Collectors.joining(",")));
            }
            String orcpt = r.originalRecipient();
            int semicolon = orcpt == null ? -1 : orcpt.indexOf(';');
            if (semicolon > 0) {
                line.append(" ORCPT=").append(orcpt, 0, semicolon).append(';')
                        .append(Xtext.encode(orcpt.substring(semicolon + 1)));
            }
        }
        return line.toString();
    }

    private ContentScan scan() throws IOException {
        if (scan == null) {
            scan = ContentScan.of(message);
        }
        return scan;
    }

    private static AttemptFailed unreadable(IOException e) {
        return new AttemptFailed(Verdict.deferred("4.3.0", "cannot read the message: " + e.getMessage()), false);
    }

    /** The command/reply exchange over one connection. */
    private final class Exchange {
        private final SmtpConnection c;
        private final String host;
        private final Verdict[] verdicts = new Verdict[recipients.size()];
        private final List<Integer> accepted = new ArrayList<>();
        boolean endOfDataSent;

        Exchange(SmtpConnection c) {
            this.c = c;
            this.host = c.remoteHost();
        }

        /** RFC 2920: MAIL, every RCPT and DATA in one write, then the replies in the same order. */
        List<RecipientOutcome> pipelined(String mailFrom, List<String> rcpts)
                throws IOException, AttemptFailed, SourceFailure {
            c.write(mailFrom);
            for (String rcpt : rcpts) {
                c.write(rcpt);
            }
            c.write("DATA");
            c.flush();
            SmtpReply mailReply = reply(config.commandTimeout(), "MAIL");
            for (int i = 0; i < rcpts.size(); i++) {
                recipientReply(i, reply(config.commandTimeout(), "RCPT"));
            }
            SmtpReply dataReply = reply(config.dataInitTimeout(), "DATA");
            if (!mailReply.isPositive() || accepted.isEmpty()) {
                if (dataReply.code() == 354) {
                    // RFC 2920 §3.1: DATA was accepted although no recipient was; send an empty message's end.
                    c.write(".");
                    c.flush();
                    reply(config.dataEndTimeout(), "end of data");
                }
                return mailReply.isPositive() ? outcomes() : mailVerdict(mailReply).outcomes(recipients);
            }
            return data(dataReply);
        }

        List<RecipientOutcome> stepwise(String mailFrom, List<String> rcpts)
                throws IOException, AttemptFailed, SourceFailure {
            c.write(mailFrom);
            c.flush();
            SmtpReply mailReply = reply(config.commandTimeout(), "MAIL");
            if (!mailReply.isPositive()) {
                return mailVerdict(mailReply).outcomes(recipients);
            }
            for (int i = 0; i < rcpts.size(); i++) {
                c.write(rcpts.get(i));
                c.flush();
                recipientReply(i, reply(config.commandTimeout(), "RCPT"));
            }
            if (accepted.isEmpty()) {
                return outcomes();
            }
            c.write("DATA");
            c.flush();
            return data(reply(config.dataInitTimeout(), "DATA"));
        }

        /** A reply; 421 means the server is closing: the transaction never happened, try elsewhere. */
        private SmtpReply reply(Duration timeout, String command) throws IOException, AttemptFailed {
            SmtpReply reply = c.readReply(timeout);
            if (reply.code() == 421 && !endOfDataSent) {
                throw new AttemptFailed(Verdict.of(reply, host), true);
            }
            return reply;
        }

        private Verdict mailVerdict(SmtpReply reply) {
            return reply.isIntermediate() ? Verdict.unexpected(reply, "MAIL", host) : Verdict.of(reply, host);
        }

        private void recipientReply(int i, SmtpReply reply) {
            if (reply.isPositive()) {
                accepted.add(i);
            } else {
                verdicts[i] = reply.isIntermediate() ? Verdict.unexpected(reply, "RCPT", host) : Verdict.of(reply, host);
            }
        }

        /** After the reply to DATA: stream the message if it was 354; the last reply decides for the accepted. */
        private List<RecipientOutcome> data(SmtpReply dataReply) throws IOException, SourceFailure {
            Verdict verdict;
            if (dataReply.code() != 354) {
                verdict = dataReply.isPositive() ? Verdict.unexpected(dataReply, "DATA", host) : Verdict.of(dataReply, host);
            } else {
                sendContent();
                SmtpReply end = c.readReply(config.dataEndTimeout());
                verdict = end.isIntermediate() ? Verdict.unexpected(end, "end of data", host) : Verdict.of(end, host);
                if (verdict.status() == Status.DELIVERED) {
                    c.messageSent();
                }
            }
            accepted.forEach(i -> verdicts[i] = verdict);
            return outcomes();
        }

        private void sendContent() throws IOException, SourceFailure {
            DataStuffingOutputStream data = new DataStuffingOutputStream(c.dataOut());
            byte[] buffer = new byte[COPY_BUFFER];
            try (InputStream in = openSource()) {
                int n;
                while ((n = readSource(in, buffer)) >= 0) {
                    data.write(buffer, 0, n);
                }
            }
            endOfDataSent = true;
            data.finish();
        }

        private InputStream openSource() throws SourceFailure {
            try {
                return message.openStream();
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        private int readSource(InputStream in, byte[] buffer) throws SourceFailure {
            try {
                return in.read(buffer);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        private List<RecipientOutcome> outcomes() {
            List<RecipientOutcome> result = new ArrayList<>(recipients.size());
            for (int i = 0; i < verdicts.length; i++) {
                result.add(verdicts[i].outcome(recipients.get(i)));
            }
            return result;
        }
    }

    /** The message cannot go to this server as it is (a missing extension); the verdict says why. */
    private static final class Unsendable extends Exception {
        private final transient Verdict verdict;

        Unsendable(Verdict verdict) {
            super(verdict.diagnostic(), null, false, false);
            this.verdict = verdict;
        }
    }

    /** Reading the message source failed; the cause is the source's exception. */
    private static final class SourceFailure extends Exception {
        SourceFailure(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
