package org.posthorn.store.user;

import java.util.Locale;

import org.posthorn.api.mail.MailAddress;

/**
 * One line of a Dovecot passwd-file: {@code user:password:uid:gid:gecos:home:shell:extra}.
 * Only the user, the password and the quota rules in the extra fields matter here.
 *
 * @param local         local part, lower case
 * @param domain        canonical domain
 * @param hash          {@code {SCHEME}hash}, or null for no password
 * @param quotaBytes    from {@code userdb_quota_rule=*:storage=...}, or -1
 * @param quotaMessages from {@code ...:messages=...}, or -1
 */
record PasswdLine(String local, String domain, String hash, long quotaBytes, long quotaMessages) {

    /** Dovecot's default_pass_scheme, assumed for a hash without a {@code {SCHEME}} prefix. */
    static final String DEFAULT_SCHEME = "{CRYPT}";

    /**
     * @throws IllegalArgumentException with a reason if the line is unusable
     */
    static PasswdLine parse(String line, String defaultDomain) {
        String[] fields = line.split(":", -1);
        String user = fields[0].strip();
        if (user.isEmpty()) {
            throw new IllegalArgumentException("empty user name");
        }
        int at = user.lastIndexOf('@');
        String local = at < 0 ? user : user.substring(0, at);
        String domain = at < 0 ? defaultDomain : user.substring(at + 1);
        if (domain == null) {
            throw new IllegalArgumentException("user " + user + " has no domain and no default domain is configured");
        }
        MailAddress address = MailAddress.parse(local.toLowerCase(Locale.ROOT) + "@" + domain);
        String password = fields.length > 1 ? fields[1].strip() : "";
        String hash = password.isEmpty() ? null : password.startsWith("{") ? password : DEFAULT_SCHEME + password;
        long bytes = -1;
        long messages = -1;
        if (fields.length > 7) {
            String extra = String.join(":", java.util.Arrays.copyOfRange(fields, 7, fields.length));
            for (String field : extra.split("\\s+")) {
                int eq = field.indexOf('=');
                if (eq < 0 || !field.substring(0, eq).matches("(userdb_)?quota_rule\\d*")) {
                    continue;
                }
                for (String rule : field.substring(eq + 1).split(":")) {
                    if (rule.startsWith("storage=")) {
                        bytes = size(rule.substring(8));
                    } else if (rule.startsWith("messages=")) {
                        messages = Long.parseLong(rule.substring(9));
                    }
                }
            }
        }
        return new PasswdLine(address.localPart(), address.domain(), hash, bytes, messages);
    }

    /** Dovecot sizes: a number with an optional unit (default kilobytes: "storage=1000" is 1000 KiB). */
    static long size(String s) {
        String v = s.strip().toUpperCase(Locale.ROOT);
        long unit = 1024;
        if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
            if (!v.isEmpty() && Character.isDigit(v.charAt(v.length() - 1))) {
                unit = 1;
            }
        }
        char last = v.isEmpty() ? '0' : v.charAt(v.length() - 1);
        if (Character.isLetter(last)) {
            unit = switch (last) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                default -> throw new IllegalArgumentException("unknown size unit in " + s);
            };
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * unit;
    }
}
