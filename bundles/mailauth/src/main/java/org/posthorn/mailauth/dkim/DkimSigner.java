package org.posthorn.mailauth.dkim;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.posthorn.api.filter.HeaderField;

/**
 * Makes {@code DKIM-Signature} values (RFC 6376 §5) with relaxed/relaxed canonicalization.
 * Thread-safe: it holds only its configuration.
 */
public final class DkimSigner {

    private final List<String> signedHeaders;
    private final List<String> oversignedHeaders;

    /**
     * @param signedHeaders     names of fields signed when present (each instance)
     * @param oversignedHeaders names signed once more than they occur, so that no one can add
     *                          another such field without breaking the signature (RFC 6376 §8.15)
     */
    public DkimSigner(List<String> signedHeaders, List<String> oversignedHeaders) {
        this.signedHeaders = lower(signedHeaders);
        this.oversignedHeaders = lower(oversignedHeaders);
    }

    private static List<String> lower(List<String> names) {
        return names.stream().map(String::strip).filter(n -> !n.isEmpty()).map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    /**
     * The relaxed body hash of a message.
     *
     * @param message the whole message from its first byte; read to its end, not closed
     */
    public static byte[] bodyHash(InputStream message) throws IOException {
        InputStream in = new BufferedInputStream(message, 1 << 16);
        RawHeader.read(in);
        BodyCanonicalizer body = new BodyCanonicalizer(Canonicalization.RELAXED, DkimAlgorithm.sha256(), -1);
        in.transferTo(body);
        return body.finish();
    }

    /**
     * The value of a {@code DKIM-Signature} field (without the name) over the given header
     * fields and body hash. Tags are separated by "; " and the signature broken by spaces, so
     * the field can be folded anywhere a space is.
     *
     * @param headers  the message's header fields top to bottom, values unfolded
     * @param bodyHash from {@link #bodyHash}
     */
    public String sign(DkimKey key, List<HeaderField> headers, byte[] bodyHash, Instant now) throws GeneralSecurityException {
        List<String> names = headersToSign(headers);
        String unsigned = "v=1; a=" + key.algorithm().tag() + "; c=relaxed/relaxed; d=" + key.domain()
                + "; s=" + key.selector() + "; t=" + now.getEpochSecond()
                + "; h=" + String.join(":", names)
                + "; bh=" + Base64.getEncoder().encodeToString(bodyHash) + "; b=";
        byte[] data = signedData(names, headers, unsigned);
        String signature = Base64.getEncoder().encodeToString(key.algorithm().sign(key.privateKey(), data));
        return unsigned + breakUp(signature);
    }

    private List<String> headersToSign(List<HeaderField> headers) {
        Map<String, Integer> present = new HashMap<>();
        for (HeaderField f : headers) {
            present.merge(f.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        List<String> names = new ArrayList<>();
        for (String name : signedHeaders) {
            int count = present.getOrDefault(name, 0) + (oversignedHeaders.contains(name) ? 1 : 0);
            for (int i = 0; i < count; i++) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * RFC 6376 §5.4.2: each name in {@code h=} takes the next instance from the bottom; a name
     * with no instance left contributes nothing. Then the signature field itself with empty b=.
     */
    private static byte[] signedData(List<String> names, List<HeaderField> headers, String unsignedValue) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<String, Integer> used = new HashMap<>();
        for (String name : names) {
            int skip = used.merge(name, 1, Integer::sum) - 1;
            for (int i = headers.size() - 1; i >= 0; i--) {
                HeaderField f = headers.get(i);
                if (f.name().equalsIgnoreCase(name) && skip-- == 0) {
                    data.writeBytes(Canonicalization.relaxedHeader(f.name(), f.value(), StandardCharsets.UTF_8));
                    break;
                }
            }
        }
        byte[] self = Canonicalization.relaxedHeader("DKIM-Signature", unsignedValue, StandardCharsets.UTF_8);
        data.write(self, 0, self.length - 2);
        return data.toByteArray();
    }

    private static String breakUp(String base64) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < base64.length(); i += 64) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(base64, i, Math.min(base64.length(), i + 64));
        }
        return out.toString();
    }
}
