package org.posthorn.queue.remote;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/**
 * Settings of remote delivery, validated. Build it from the configuration annotation
 * ({@link #from(Options)}) or from configuration properties ({@link #fromProperties(Map)});
 * both take their defaults from {@link Options}. The keys and what they do are documented in
 * {@code docs/queue.md}, "Remote delivery".
 *
 * @param heloName                 the name we give in EHLO/HELO, and recognise as ourselves
 * @param mxPort                   the port MX hosts and address literals are contacted on (25)
 * @param connectTimeout           TCP connect
 * @param greetingTimeout          the 220 greeting (RFC 5321 §4.5.3.2.1: 5 minutes)
 * @param commandTimeout           EHLO, STARTTLS, AUTH, MAIL, RCPT, RSET, NOOP (§4.5.3.2.2–3: 5 minutes)
 * @param dataInitTimeout          the 354 reply to DATA (§4.5.3.2.4: 2 minutes)
 * @param dataBlockTimeout         sending one block of message data (§4.5.3.2.5: 3 minutes)
 * @param dataEndTimeout           the reply after the final "." (§4.5.3.2.6: 10 minutes)
 * @param tlsPolicy                TLS towards MX hosts
 * @param tlsVerify                with {@link TlsPolicy#REQUIRED}: also demand a valid certificate
 *                                 chain naming the MX host
 * @param smarthost                relay all remote mail through this host, or null for MX delivery
 * @param localHosts               names and IP addresses that are this server (loop detection),
 *                                 in addition to {@code heloName}
 * @param detectLocalAddresses     also count every address of this machine's interfaces as ours
 * @param maxConnectionsPerDomain  concurrent connections for one destination domain (or the smarthost)
 * @param connectionWait           how long a delivery waits for a free connection slot before it is deferred
 * @param idleKeep                 how long an idle connection is kept for the next message to the same host
 * @param maxMessagesPerConnection messages sent over one connection before it is closed
 */
public record RemoteDeliveryConfig(String heloName, int mxPort, Duration connectTimeout, Duration greetingTimeout,
                                   Duration commandTimeout, Duration dataInitTimeout, Duration dataBlockTimeout,
                                   Duration dataEndTimeout, TlsPolicy tlsPolicy, boolean tlsVerify,
                                   Smarthost smarthost, List<String> localHosts, boolean detectLocalAddresses,
                                   int maxConnectionsPerDomain, Duration connectionWait, Duration idleKeep,
                                   int maxMessagesPerConnection) {

    /** The configuration PID of remote delivery. */
    public static final String PID = "org.posthorn.queue.remote";

    /** The configuration as Config Admin and metatype see it; every key has a default. */
    @ObjectClassDefinition(id = PID, name = "Posthorn remote delivery",
            description = "Delivery of mail for other domains over SMTP: MX lookup or a smarthost, TLS, timeouts, limits."
                    + " Durations are written like 500ms, 30s, 5m, 2h or PT5M.")
    public @interface Options {
        @AttributeDefinition(description = "Name given in EHLO; empty for this machine's host name")
        String helo_name() default "";

        @AttributeDefinition(description = "Port of MX hosts and address literals")
        int mx_port() default 25;

        @AttributeDefinition(description = "TCP connect timeout")
        String connect_timeout() default "30s";

        @AttributeDefinition(description = "Wait for the 220 greeting (RFC 5321 4.5.3.2.1)")
        String greeting_timeout() default "5m";

        @AttributeDefinition(description = "Wait for the reply to EHLO, STARTTLS, AUTH, MAIL, RCPT, RSET")
        String command_timeout() default "5m";

        @AttributeDefinition(description = "Wait for the 354 reply to DATA")
        String data_init_timeout() default "2m";

        @AttributeDefinition(description = "Sending one block of message data")
        String data_block_timeout() default "3m";

        @AttributeDefinition(description = "Wait for the reply after the final dot")
        String data_end_timeout() default "10m";

        @AttributeDefinition(description = "TLS towards MX hosts: OPPORTUNISTIC or REQUIRED")
        TlsPolicy tls_policy() default TlsPolicy.OPPORTUNISTIC;

        @AttributeDefinition(description = "With tls.policy=REQUIRED: demand a valid certificate naming the MX host")
        boolean tls_verify() default false;

        @AttributeDefinition(description = "Relay all remote mail through this host; empty for MX delivery")
        String smarthost_host() default "";

        @AttributeDefinition(description = "Smarthost port")
        int smarthost_port() default 587;

        @AttributeDefinition(description = "Smarthost TLS: OPPORTUNISTIC, STARTTLS or IMPLICIT")
        SmarthostTls smarthost_tls() default SmarthostTls.STARTTLS;

        @AttributeDefinition(description = "Demand a valid certificate from the smarthost")
        boolean smarthost_tls_verify() default true;

        @AttributeDefinition(description = "AUTH user name at the smarthost; empty for none")
        String smarthost_username() default "";

        @AttributeDefinition(description = "AUTH password at the smarthost", type = AttributeType.PASSWORD)
        String smarthost_password() default "";

        @AttributeDefinition(description = "Other names and IP addresses of this server, for mail loop detection")
        String[] local_hosts() default {};

        @AttributeDefinition(description = "Count all addresses of this machine's network interfaces as ours")
        boolean local_addresses_detect() default true;

        @AttributeDefinition(description = "Concurrent connections per destination domain (or to the smarthost)")
        int max_connections_per_domain() default 4;

        @AttributeDefinition(description = "How long a delivery waits for a free connection before it is deferred")
        String connection_wait() default "30s";

        @AttributeDefinition(description = "How long an idle connection is kept open for the next message")
        String idle_keep() default "5s";

        @AttributeDefinition(description = "Messages sent over one connection before it is closed")
        int max_messages_per_connection() default 100;
    }

    private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)$");

    public RemoteDeliveryConfig {
        Objects.requireNonNull(heloName, "heloName");
        Objects.requireNonNull(tlsPolicy, "tlsPolicy");
        localHosts = List.copyOf(localHosts);
        requirePositive("mx.port", mxPort);
        requirePositive("max.connections.per.domain", maxConnectionsPerDomain);
        requirePositive("max.messages.per.connection", maxMessagesPerConnection);
        for (Duration d : List.of(connectTimeout, greetingTimeout, commandTimeout, dataInitTimeout, dataBlockTimeout,
                dataEndTimeout, idleKeep, connectionWait)) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative duration: " + d);
            }
        }
    }

    /** The settings an annotation-typed DS configuration gives. */
    public static RemoteDeliveryConfig from(Options o) {
        Smarthost smarthost = o.smarthost_host().isBlank() ? null
                : new Smarthost(o.smarthost_host().trim(), o.smarthost_port(), o.smarthost_tls(),
                        o.smarthost_tls_verify(), o.smarthost_username(), o.smarthost_password());
        return new RemoteDeliveryConfig(
                o.helo_name().isBlank() ? localHostName() : o.helo_name().trim(),
                o.mx_port(),
                duration("connect.timeout", o.connect_timeout()),
                duration("greeting.timeout", o.greeting_timeout()),
                duration("command.timeout", o.command_timeout()),
                duration("data.init.timeout", o.data_init_timeout()),
                duration("data.block.timeout", o.data_block_timeout()),
                duration("data.end.timeout", o.data_end_timeout()),
                o.tls_policy(), o.tls_verify(), smarthost,
                entries(o.local_hosts()), o.local_addresses_detect(),
                o.max_connections_per_domain(), duration("connection.wait", o.connection_wait()),
                duration("idle.keep", o.idle_keep()), o.max_messages_per_connection());
    }

    /**
     * The settings from configuration properties as Config Admin delivers them (keys such as
     * {@code helo.name}, values typed or as text); a missing key takes its default.
     *
     * @throws IllegalArgumentException for a value that does not fit its key
     */
    public static RemoteDeliveryConfig fromProperties(Map<String, ?> properties) {
        Options options = (Options) Proxy.newProxyInstance(Options.class.getClassLoader(), new Class<?>[] {Options.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> Options.class;
                    case "toString" -> "Options" + properties;
                    case "hashCode" -> properties.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> property(properties, method);
                });
        return from(options);
    }

    /** RFC 5321 §4.5.3.2 and the other defaults, with a given EHLO name. */
    public static RemoteDeliveryConfig defaults(String heloName) {
        return fromProperties(Map.of("helo.name", heloName));
    }

    /**
     * Parses a duration: a number with unit ms, s, m, h or d, or ISO-8601 ({@code PT5M}).
     *
     * @throws IllegalArgumentException naming the key if the text is neither
     */
    static Duration duration(String key, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": not a duration: " + text, e);
        }
    }

    /** DS property naming (OSGi Compendium 112.8.2.2): a single "_" in a method name is a ".". */
    private static Object property(Map<String, ?> properties, Method method) {
        String key = method.getName().replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
        Object value = properties.get(key);
        if (value == null) {
            return method.getDefaultValue();
        }
        Class<?> type = method.getReturnType();
        try {
            if (type == String[].class) {
                return strings(value);
            }
            Object single = value.getClass().isArray() ? (Array.getLength(value) > 0 ? Array.get(value, 0) : null)
                    : value instanceof Collection<?> c ? c.stream().findFirst().orElse(null) : value;
            if (single == null) {
                return method.getDefaultValue();
            }
            String text = single.toString().trim();
            if (type == String.class) {
                return single.toString();
            } else if (type == int.class) {
                return single instanceof Number n ? n.intValue() : Integer.parseInt(text);
            } else if (type == boolean.class) {
                return single instanceof Boolean b ? b : Boolean.parseBoolean(text);
            } else if (type.isEnum()) {
                return enumValue(type, text);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": invalid value " + value, e);
        }
        throw new IllegalStateException("unsupported option type " + type);
    }

    /**
     * The entries of a list option; a value may itself list several, comma-separated, as a
     * {@code .cfg} file gives them ({@code local.hosts=mx1.example.org, 192.0.2.25}).
     */
    private static List<String> entries(String[] values) {
        return Arrays.stream(values).flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static String[] strings(Object value) {
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toArray(String[]::new);
        }
        if (value.getClass().isArray()) {
            String[] result = new String[Array.getLength(value)];
            for (int i = 0; i < result.length; i++) {
                result[i] = String.valueOf(Array.get(value, i));
            }
            return result;
        }
        return new String[] {value.toString()};
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String text) {
        return Enum.valueOf((Class) type, text.toUpperCase(Locale.ROOT));
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive: " + value);
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            LoggerFactory.getLogger(RemoteDeliveryConfig.class)
                    .warn("helo.name is not set and this machine's name is unknown; using localhost: {}", e.getMessage());
            return "localhost";
        }
    }
}
