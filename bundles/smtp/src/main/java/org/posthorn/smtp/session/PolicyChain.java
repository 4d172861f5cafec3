package org.posthorn.smtp.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Constants;
import org.posthorn.api.filter.HeaderField;
import org.posthorn.api.mail.MailAddress;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.smtp.PolicyVerdict;
import org.posthorn.api.smtp.SessionFacts;
import org.posthorn.api.smtp.SmtpPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SmtpPolicy} services, in order of service ranking (highest first, then lowest
 * service id), and the rules for asking them: only those that apply to the session, the first
 * refusal wins, and a policy that throws is skipped (fail-open) or answered with 451 4.3.0
 * (fail-closed). Thread-safe; policies come and go at any time.
 */
public final class PolicyChain {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyChain.class);

    /** The answer when a policy failed and the admin chose fail-closed. */
    static final PolicyVerdict FAILED = PolicyVerdict.tempfail(451, "4.3.0", "Policy check failed; try again later");

    private record Ranked(SmtpPolicy policy, int ranking, long serviceId) {
        String name() {
            return policy.getClass().getName() + "#" + serviceId;
        }
    }

    private static final Comparator<Ranked> ORDER = Comparator.comparingInt(Ranked::ranking).reversed()
            .thenComparingLong(Ranked::serviceId);

    private final Map<Long, Ranked> policies = new ConcurrentHashMap<>();

    /** Adds a policy, or changes its ranking. */
    public void add(SmtpPolicy policy, int ranking, long serviceId) {
        policies.put(serviceId, new Ranked(policy, ranking, serviceId));
    }

    /** Adds a policy, or changes its ranking, as its service properties say. */
    public void add(SmtpPolicy policy, Map<String, ?> properties) {
        long serviceId = (Long) properties.get(Constants.SERVICE_ID);
        add(policy, ranking(properties.get(Constants.SERVICE_RANKING), policy.getClass().getName() + "#" + serviceId),
                serviceId);
    }

    /**
     * The service's {@code service.ranking}: an Integer as the OSGi spec has it, or a Long or a
     * whole number in a String, as a {@code .cfg} file gives it through Config Admin. Anything
     * else counts as 0, with a warning naming the service.
     */
    static int ranking(Object value, String service) {
        if (value == null || value instanceof Integer) {
            return value == null ? 0 : (Integer) value;
        }
        try {
            return Math.toIntExact(Long.parseLong(value.toString().strip()));
        } catch (NumberFormatException | ArithmeticException e) {
            LOG.warn("{}: service.ranking \"{}\" is not a whole number; ranked 0", service, value);
            return 0;
        }
    }

    public void remove(long serviceId) {
        policies.remove(serviceId);
    }

    /** The policies to ask about this session, in order; a policy whose {@code appliesTo} throws counts as applying. */
    private List<Ranked> applying(SessionFacts session) {
        List<Ranked> applying = new ArrayList<>();
        for (Ranked ranked : policies.values().stream().sorted(ORDER).toList()) {
            try {
                if (ranked.policy().appliesTo(session)) {
                    applying.add(ranked);
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("SMTP policy {} failed to say whether it applies; asking it anyway: {}", ranked.name(), e.toString(), e);
                applying.add(ranked);
            }
        }
        return applying;
    }

    /** Whether any policy wants to see this session's messages (if not, they need not be held back). */
    boolean appliesTo(SessionFacts session) {
        return !applying(session).isEmpty();
    }

    /** Asks the policies about one recipient; returns the refusal, or an acceptance with every policy's header fields. */
    PolicyVerdict recipient(SessionFacts session, MailAddress recipient, boolean local, boolean failClosed) {
        return ask(session, failClosed, policy -> policy.recipient(session, recipient, local));
    }

    /** Asks the policies about the whole message; as {@link #recipient}. */
    PolicyVerdict message(SessionFacts session, List<MailAddress> recipients, MessageSource message, boolean failClosed) {
        return ask(session, failClosed, policy -> policy.message(session, recipients, message));
    }

    private interface Question {
        PolicyVerdict ask(SmtpPolicy policy) throws Exception;
    }

    private PolicyVerdict ask(SessionFacts session, boolean failClosed, Question question) {
        Set<HeaderField> headers = new LinkedHashSet<>();
        for (Ranked ranked : applying(session)) {
            PolicyVerdict verdict;
            try {
                verdict = question.ask(ranked.policy());
            } catch (Exception | LinkageError e) {
                if (failClosed) {
                    LOG.warn("SMTP policy {} failed; answering 451 (policy.fail.closed): {}", ranked.name(), e.toString(), e);
                    return FAILED;
                }
                LOG.warn("SMTP policy {} failed and is skipped: {}", ranked.name(), e.toString(), e);
                continue;
            }
            if (verdict == null) {
                continue;
            }
            if (verdict.action() != PolicyVerdict.Action.ACCEPT) {
                LOG.info("SMTP policy {} refused: {}", ranked.name(), verdict.reply());
                return verdict;
            }
            headers.addAll(verdict.headers());
        }
        return headers.isEmpty() ? PolicyVerdict.ACCEPT : PolicyVerdict.accept(new ArrayList<>(headers));
    }
}
