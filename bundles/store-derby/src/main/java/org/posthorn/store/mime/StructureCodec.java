package org.posthorn.store.mime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.posthorn.api.store.EnvelopeAddress;
import org.posthorn.api.store.MessageEnvelope;
import org.posthorn.api.store.MimePart;

/**
 * The stored form of a {@link MimePart} tree (with envelopes): a compact binary encoding,
 * versioned by its first byte so later versions can still read old rows.
 */
public final class StructureCodec {

    private static final int VERSION = 1;

    private StructureCodec() {
    }

    public static byte[] encode(MimePart root) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writePart(out, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static MimePart decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("unknown structure version " + version);
            }
            return readPart(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePart(DataOutputStream out, MimePart p) throws IOException {
        writeString(out, p.type());
        writeString(out, p.subtype());
        writeMap(out, p.parameters());
        writeString(out, p.contentId());
        writeString(out, p.description());
        writeString(out, p.transferEncoding());
        out.writeLong(p.headerStart());
        out.writeLong(p.bodyStart());
        out.writeLong(p.end());
        out.writeLong(p.lines());
        out.writeLong(p.decodedSize());
        writeString(out, p.disposition());
        writeMap(out, p.dispositionParameters());
        out.writeInt(p.language().size());
        for (String l : p.language()) {
            writeString(out, l);
        }
        writeString(out, p.location());
        writeString(out, p.md5());
        MessageEnvelope e = p.envelope();
        out.writeBoolean(e != null);
        if (e != null) {
            writeString(out, e.date());
            writeString(out, e.subject());
            for (List<EnvelopeAddress> list : List.of(e.from(), e.sender(), e.replyTo(), e.to(), e.cc(), e.bcc())) {
                out.writeInt(list.size());
                for (EnvelopeAddress a : list) {
                    writeString(out, a.name());
                    writeString(out, a.route());
                    writeString(out, a.mailbox());
                    writeString(out, a.host());
                }
            }
            writeString(out, e.inReplyTo());
            writeString(out, e.messageId());
        }
        out.writeInt(p.children().size());
        for (MimePart child : p.children()) {
            writePart(out, child);
        }
    }

    private static MimePart readPart(DataInputStream in) throws IOException {
        String type = readString(in);
        String subtype = readString(in);
        Map<String, String> parameters = readMap(in);
        String contentId = readString(in);
        String description = readString(in);
        String transferEncoding = readString(in);
        long headerStart = in.readLong();
        long bodyStart = in.readLong();
        long end = in.readLong();
        long lines = in.readLong();
        long decodedSize = in.readLong();
        String disposition = readString(in);
        Map<String, String> dispositionParameters = readMap(in);
        int languages = in.readInt();
        List<String> language = new ArrayList<>(languages);
        for (int i = 0; i < languages; i++) {
            language.add(readString(in));
        }
        String location = readString(in);
        String md5 = readString(in);
        MessageEnvelope envelope = null;
        if (in.readBoolean()) {
            String date = readString(in);
            String subject = readString(in);
            List<List<EnvelopeAddress>> lists = new ArrayList<>(6);
            for (int l = 0; l < 6; l++) {
                int n = in.readInt();
                List<EnvelopeAddress> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(new EnvelopeAddress(readString(in), readString(in), readString(in), readString(in)));
                }
                lists.add(list);
            }
            envelope = new MessageEnvelope(date, subject, lists.get(0), lists.get(1), lists.get(2), lists.get(3),
                    lists.get(4), lists.get(5), readString(in), readString(in));
        }
        int n = in.readInt();
        List<MimePart> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            children.add(readPart(in));
        }
        return new MimePart(type, subtype, parameters, contentId, description, transferEncoding, headerStart,
                bodyStart, end, lines, decodedSize, disposition, dispositionParameters, language, location, md5,
                envelope, children);
    }

    /** Strings may exceed writeUTF's 64 KiB, so they are length-prefixed UTF-8; -1 is null. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = in.readNBytes(n);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == 0) {
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            map.put(readString(in), readString(in));
        }
        return Collections.unmodifiableMap(map);
    }
}
