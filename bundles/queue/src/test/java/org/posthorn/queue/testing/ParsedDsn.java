package org.posthorn.queue.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;

/**
 * A DSN parsed back with Apache James mime4j, independent of the code that wrote it: the
 * report's three parts, and the delivery-status fields as one map per block (the first block
 * holds the per-message fields, the others one recipient each).
 */
public final class ParsedDsn {

    public final Message message;
    public final String reportType;
    public final List<String> partTypes = new ArrayList<>();
    public final String humanText;
    public final List<Map<String, String>> status = new ArrayList<>();
    public final String returned;

    private ParsedDsn(byte[] bytes) throws IOException {
        message = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(bytes));
        ContentTypeField type = (ContentTypeField) message.getHeader().getField("Content-Type");
        if (!"multipart/report".equals(type.getMimeType())) {
            throw new AssertionError("not a multipart/report: " + type.getMimeType());
        }
        reportType = type.getParameter("report-type");
        List<Entity> parts = ((Multipart) message.getBody()).getBodyParts();
        for (Entity part : parts) {
            partTypes.add(part.getMimeType());
        }
        humanText = text(parts.get(0));
        String fields = text(parts.get(1));
        for (String block : fields.strip().split("\r?\n\r?\n")) {
            Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line : block.replaceAll("\r?\n[ \t]+", " ").split("\r?\n")) {
                int colon = line.indexOf(':');
                map.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
            status.add(map);
        }
        returned = parts.size() > 2 ? text(parts.get(2)) : null;
    }

    public static ParsedDsn parse(byte[] bytes) throws IOException {
        return new ParsedDsn(bytes);
    }

    /** The per-message fields. */
    public Map<String, String> perMessage() {
        return status.get(0);
    }

    /** The fields of the n-th recipient block. */
    public Map<String, String> recipient(int n) {
        return status.get(n + 1);
    }

    public String subject() {
        return message.getSubject();
    }

    private static String text(Entity part) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (part.getBody() instanceof SingleBody single) {
            single.writeTo(out);
        } else if (part.getBody() instanceof Message embedded) {
            new DefaultMessageWriter().writeMessage(embedded, out);
        } else {
            throw new AssertionError("unexpected body " + part.getBody());
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
