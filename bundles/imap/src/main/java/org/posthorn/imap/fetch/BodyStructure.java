package org.posthorn.imap.fetch;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.posthorn.api.store.EnvelopeAddress;
import org.posthorn.api.store.MessageEnvelope;
import org.posthorn.api.store.MimePart;
import org.posthorn.imap.protocol.ResponseWriter;

/**
 * ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2) from the structure the store parsed at
 * delivery, without reading the message: multiparts nest their parts, a message/rfc822 part
 * carries the ENVELOPE and body structure of the message inside it, text parts their line count.
 */
public final class BodyStructure {

    private BodyStructure() {
    }

    /** BODYSTRUCTURE ({@code extensible}) or BODY. */
    public static void write(ResponseWriter out, MimePart part, boolean extensible) {
        out.raw("(");
        if (part.isMultipart()) {
            for (MimePart child : part.children()) {
                write(out, child, extensible);
            }
            out.sp().string(part.subtype().toUpperCase(Locale.ROOT));
            if (extensible) {
                out.sp();
                parameters(out, part.parameters());
                extensionTail(out, part);
            }
        } else {
            out.string(part.type().toUpperCase(Locale.ROOT)).sp().string(part.subtype().toUpperCase(Locale.ROOT))
                    .sp();
            if (part.type().equals("text") && !part.parameters().containsKey("charset")) {
                // RFC 2045 §5.2: a text part without charset is US-ASCII; clients read it from here
                Map<String, String> withCharset = new java.util.LinkedHashMap<>();
                withCharset.put("charset", "us-ascii");
                withCharset.putAll(part.parameters());
                parameters(out, withCharset);
            } else {
                parameters(out, part.parameters());
            }
            out.sp().nstring(part.contentId()).sp().nstring(part.description()).sp().string(part.transferEncoding())
                    .sp().number(part.bodySize());
            if (part.isEmbeddedMessage()) {
                MimePart message = part.children().get(0);
                out.sp();
                envelope(out, message.envelope());
                out.sp();
                write(out, message, extensible);
                out.sp().number(part.lines());
            } else if (part.type().equals("text")) {
                out.sp().number(part.lines());
            }
            if (extensible) {
                out.sp().nstring(part.md5());
                extensionTail(out, part);
            }
        }
        out.raw(")");
    }

    /** body-fld-dsp, body-fld-lang, body-fld-loc. */
    private static void extensionTail(ResponseWriter out, MimePart part) {
        out.sp();
        if (part.disposition() == null) {
            out.raw("NIL");
        } else {
            out.raw("(").string(part.disposition()).sp();
            parameters(out, part.dispositionParameters());
            out.raw(")");
        }
        out.sp();
        List<String> language = part.language();
        if (language.isEmpty()) {
            out.raw("NIL");
        } else if (language.size() == 1) {
            out.string(language.get(0));
        } else {
            out.raw("(");
            for (int i = 0; i < language.size(); i++) {
                if (i > 0) {
                    out.sp();
                }
                out.string(language.get(i));
            }
            out.raw(")");
        }
        out.sp().nstring(part.location());
    }

    private static void parameters(ResponseWriter out, Map<String, String> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            out.raw("NIL");
            return;
        }
        out.raw("(");
        boolean first = true;
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            if (!first) {
                out.sp();
            }
            out.string(p.getKey().toUpperCase(Locale.ROOT)).sp().string(p.getValue());
            first = false;
        }
        out.raw(")");
    }

    /** ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id. */
    public static void envelope(ResponseWriter out, MessageEnvelope envelope) {
        if (envelope == null) {
            out.raw("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
            return;
        }
        out.raw("(").nstring(envelope.date()).sp().nstring(envelope.subject()).sp();
        addresses(out, envelope.from());
        out.sp();
        addresses(out, envelope.sender());
        out.sp();
        addresses(out, envelope.replyTo());
        out.sp();
        addresses(out, envelope.to());
        out.sp();
        addresses(out, envelope.cc());
        out.sp();
        addresses(out, envelope.bcc());
        out.sp().nstring(envelope.inReplyTo()).sp().nstring(envelope.messageId()).raw(")");
    }

    private static void addresses(ResponseWriter out, List<EnvelopeAddress> addresses) {
        if (addresses.isEmpty()) {
            out.raw("NIL");
            return;
        }
        out.raw("(");
        for (EnvelopeAddress a : addresses) {
            out.raw("(").nstring(a.name()).sp().nstring(a.route()).sp().nstring(a.mailbox()).sp().nstring(a.host())
                    .raw(")");
        }
        out.raw(")");
    }
}
