package org.posthorn.mailauth.dkim;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.posthorn.api.dns.DnsLookupException;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.mailauth.dkim.DkimResult.Result;

/**
 * Checks the {@code DKIM-Signature} fields of a message (RFC 6376 §6), with rsa-sha256 and
 * ed25519-sha256 (RFC 8463), both canonicalizations and {@code l=}. Keys come from the DNS
 * through {@link DnsResolver}. Thread-safe.
 */
public final class DkimVerifier {

    /** The b= tag's value, up to the next ';' (§3.5: it is deleted when the field is hashed). */
    private static final Pattern B_TAG = Pattern.compile("(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*");

    private final DnsResolver dns;
    private final Clock clock;
    private final int maxSignatures;

    /** @param maxSignatures how many signatures of one message are checked at most (each costs a DNS query) */
    public DkimVerifier(DnsResolver dns, Clock clock, int maxSignatures) {
        this.dns = dns;
        this.clock = clock;
        this.maxSignatures = maxSignatures;
    }

    /** One result per signature checked, top to bottom; empty if the message has none. */
    public List<DkimResult> verify(MessageSource message) throws IOException {
        RawHeader header;
        try (InputStream in = message.openStream()) {
            header = RawHeader.read(new BufferedInputStream(in));
        }
        List<DkimResult> results = new ArrayList<>();
        for (RawHeader.Field field : header.all("DKIM-Signature")) {
            if (results.size() == maxSignatures) {
                break;
            }
            results.add(header.truncated()
                    ? new DkimResult(Result.PERMERROR, null, null, null, "header longer than " + RawHeader.MAX_HEADER_BYTES + " bytes")
                    : check(field, header, message));
        }
        return results;
    }

    private DkimResult check(RawHeader.Field field, RawHeader header, MessageSource message) throws IOException {
        TagList tags;
        try {
            tags = TagList.parse(field.value());
        } catch (IllegalArgumentException e) {
            return new DkimResult(Result.PERMERROR, null, null, null, "malformed signature: " + e.getMessage());
        }
        String domain = tags.get("d").map(d -> d.toLowerCase(Locale.ROOT)).orElse(null);
        String selector = tags.get("s").orElse(null);
        String b = tags.get("b").map(TagList::base64).orElse(null);
        String start = b == null ? null : b.substring(0, Math.min(8, b.length()));
        try {
            check(tags, field, header, message);
            return new DkimResult(Result.PASS, domain, selector, start, null);
        } catch (Failure f) {
            return new DkimResult(f.result, domain, selector, start, f.getMessage());
        }
    }

    private static final class Failure extends Exception {
        final Result result;

        Failure(Result result, String message) {
            super(message, null, false, false);
            this.result = result;
        }
    }

    private static Failure perm(String message) {
        return new Failure(Result.PERMERROR, message);
    }

    private void check(TagList tags, RawHeader.Field field, RawHeader header, MessageSource message)
            throws Failure, IOException {
        String version;
        String domain;
        String selector;
        List<String> signed;
        try {
            version = tags.required("v");
            domain = tags.required("d").toLowerCase(Locale.ROOT);
            selector = tags.required("s");
            signed = Arrays.stream(tags.required("h").split(":")).map(String::strip).toList();
            tags.required("b");
            tags.required("bh");
        } catch (IllegalArgumentException e) {
            throw perm(e.getMessage());
        }
        if (!"1".equals(version)) {
            throw perm("unknown version v=" + version);
        }
        String a = tags.required("a");
        DkimAlgorithm algorithm = DkimAlgorithm.ofTag(a).orElseThrow(() -> perm(
                a.equalsIgnoreCase("rsa-sha1") ? "rsa-sha1 is not accepted (RFC 8301)" : "unknown algorithm " + a));
        if (signed.stream().noneMatch("from"::equalsIgnoreCase)) {
            throw perm("From is not signed");
        }
        String identity = tags.get("i").orElse("@" + domain);
        String identityDomain = identity.substring(identity.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        if (!identityDomain.equals(domain) && !identityDomain.endsWith("." + domain)) {
            throw perm("i= is not in d=");
        }
        if (tags.get("q").filter(q -> !q.toLowerCase(Locale.ROOT).contains("dns/txt")).isPresent()) {
            throw perm("no supported query method");
        }
        long expires = longTag(tags, "x");
        if (expires >= 0 && expires < clock.instant().getEpochSecond()) {
            throw new Failure(Result.FAIL, "signature expired");
        }
        Canonicalization headerCanon;
        Canonicalization bodyCanon;
        try {
            String[] c = tags.get("c").orElse("simple/simple").split("/", -1);
            headerCanon = Canonicalization.of(c[0]);
            bodyCanon = c.length > 1 ? Canonicalization.of(c[1]) : Canonicalization.SIMPLE;
        } catch (IllegalArgumentException e) {
            throw perm(e.getMessage());
        }
        PublicKey key = key(algorithm, selector, domain, identityDomain);

        long limit = longTag(tags, "l");
        BodyCanonicalizer body = new BodyCanonicalizer(bodyCanon, DkimAlgorithm.sha256(), limit);
        try (InputStream in = message.openStream()) {
            in.skipNBytes(header.bodyOffset());
            in.transferTo(body);
        }
        byte[] bodyHash = body.finish();
        if (body.length() < limit) {
            // §6.1.3: an l= larger than the canonical body fails
            throw new Failure(Result.FAIL, "body shorter than l=");
        }
        byte[] claimed = decode(tags.required("bh"));
        if (!MessageDigest.isEqual(bodyHash, claimed)) {
            throw new Failure(Result.FAIL, "body hash did not verify");
        }
        byte[] data = signedData(signed, header, field, headerCanon);
        try {
            if (!algorithm.verify(key, data, decode(tags.required("b")))) {
                throw new Failure(Result.FAIL, "signature did not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new Failure(Result.FAIL, "signature did not verify: " + e.getMessage());
        }
    }

    private static long longTag(TagList tags, String name) throws Failure {
        String value = tags.get(name).orElse(null);
        if (value == null) {
            return -1;
        }
        if (!value.matches("\\d{1,18}")) {
            throw perm("bad " + name + "=" + value);
        }
        return Long.parseLong(value);
    }

    private static byte[] decode(String base64) throws Failure {
        try {
            return Base64.getDecoder().decode(TagList.base64(base64));
        } catch (IllegalArgumentException e) {
            throw perm("bad base64");
        }
    }

    /** RFC 6376 §6.1.2: the key record at {@code <selector>._domainkey.<domain>}. */
    private PublicKey key(DkimAlgorithm algorithm, String selector, String domain, String identityDomain) throws Failure {
        List<String> records;
        try {
            records = dns.txt(selector + "._domainkey." + domain);
        } catch (DnsLookupException e) {
            if (e.kind() == DnsLookupException.Kind.TEMPORARY) {
                throw new Failure(Result.TEMPERROR, "key lookup failed: " + e.getMessage());
            }
            throw perm("no key for signature");
        }
        if (records.isEmpty()) {
            throw perm("no key for signature");
        }
        TagList record;
        try {
            record = TagList.parse(records.get(0));
        } catch (IllegalArgumentException e) {
            throw perm("malformed key record: " + e.getMessage());
        }
        if (record.get("v").filter(v -> !v.equals("DKIM1")).isPresent()) {
            throw perm("key record is not DKIM1");
        }
        if (!record.get("k").orElse("rsa").equalsIgnoreCase(algorithm.keyType())) {
            throw perm("key type does not match a=" + algorithm.tag());
        }
        if (record.get("h").filter(h -> !Arrays.asList(h.toLowerCase(Locale.ROOT).replace(" ", "").split(":")).contains("sha256")).isPresent()) {
            throw perm("key does not allow sha256");
        }
        if (record.get("s").filter(s -> !s.contains("*") && !s.toLowerCase(Locale.ROOT).contains("email")).isPresent()) {
            throw perm("key is not for email");
        }
        boolean strict = record.get("t").map(t -> Arrays.asList(t.replace(" ", "").split(":")).contains("s")).orElse(false);
        if (strict && !identityDomain.equals(domain)) {
            throw perm("key demands i= in exactly d=");
        }
        String p = TagList.base64(record.get("p").orElseThrow(() -> perm("key record without p=")));
        if (p.isEmpty()) {
            throw perm("key revoked");
        }
        try {
            PublicKey key = DkimKeys.publicKey(algorithm, Base64.getDecoder().decode(p));
            if (algorithm == DkimAlgorithm.RSA_SHA256 && DkimKeys.rsaBits(key) < DkimKeys.MIN_RSA_BITS) {
                throw perm("RSA key shorter than " + DkimKeys.MIN_RSA_BITS + " bits (RFC 8301)");
            }
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw perm("unusable key: " + e.getMessage());
        }
    }

    /** §5.4.2: each h= name takes the next instance from the bottom; then this field without b=. */
    private static byte[] signedData(List<String> names, RawHeader header, RawHeader.Field self, Canonicalization canon) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<String, Integer> used = new HashMap<>();
        for (String name : names) {
            List<RawHeader.Field> instances = header.all(name);
            int index = instances.size() - used.merge(name.toLowerCase(Locale.ROOT), 1, Integer::sum);
            if (index >= 0) {
                data.writeBytes(canon.header(instances.get(index).raw()));
            }
        }
        String raw = self.raw();
        int colon = raw.indexOf(':') + 1;
        Matcher m = B_TAG.matcher(raw.substring(colon));
        byte[] field = canon.header(m.find() ? raw.substring(0, colon + m.end(2)) + raw.substring(colon + m.end()) : raw);
        // the field is hashed without its final CRLF (§3.7)
        int end = field.length;
        if (end >= 2 && field[end - 2] == '\r' && field[end - 1] == '\n') {
            end -= 2;
        } else if (end >= 1 && field[end - 1] == '\n') {
            end -= 1;
        }
        data.write(field, 0, end);
        return data.toByteArray();
    }
}
