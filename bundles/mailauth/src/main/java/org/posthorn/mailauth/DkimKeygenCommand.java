package org.posthorn.mailauth;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.posthorn.mailauth.dkim.DkimAlgorithm;
import org.posthorn.mailauth.dkim.DkimKeys;
import org.posthorn.mailauth.dkim.KeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell command {@code posthorn:dkim-keygen <domain> <selector> [rsa|ed25519]}: writes a new
 * private key where the signing filter looks for it and prints the DNS record to publish. It
 * reads the signing filter's configuration for the key folder. Gogo calls {@code _main} for a
 * function name that is no Java identifier, with the name as first argument.
 */
@Component(service = DkimKeygenCommand.class, configurationPid = DkimSigningFilter.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {"osgi.command.scope=posthorn", "osgi.command.function=dkim-keygen"})
public final class DkimKeygenCommand {

    private static final Logger LOG = LoggerFactory.getLogger(DkimKeygenCommand.class);

    private final KeyRing keys;

    @Activate
    public DkimKeygenCommand(DkimSigningFilter.Config config, BundleContext context) {
        this(new KeyRing(ConfigValues.resolve(context.getProperty("posthorn.data"), config.key_directory()),
                Map.of()));
    }

    DkimKeygenCommand(KeyRing keys) {
        this.keys = keys;
    }

    public String _main(String function, String domain, String selector) throws IOException {
        return _main(function, domain, selector, "rsa");
    }

    public String _main(String function, String domain, String selector, String algorithm) throws IOException {
        return generate(domain, selector, algorithm);
    }

    /**
     * Generates the key and writes it to {@code <key.directory>/<domain>/<selector>.pem}.
     *
     * @return what to publish in the DNS, as a zone file line, or why nothing was done
     */
    String generate(String domainText, String selector, String algorithmText) throws IOException {
        String domain = AuthorDomain.canonical(domainText);
        if (domain == null) {
            return "Not a domain: " + domainText;
        }
        if (!KeyRing.SELECTOR.matcher(selector).matches()) {
            return "Not a selector (letters, digits and '-', like a DNS label): " + selector;
        }
        DkimAlgorithm algorithm = switch (algorithmText.toLowerCase(Locale.ROOT)) {
            case "rsa", "rsa-sha256" -> DkimAlgorithm.RSA_SHA256;
            case "ed25519", "ed25519-sha256" -> DkimAlgorithm.ED25519_SHA256;
            default -> null;
        };
        if (algorithm == null) {
            return "Unknown key type " + algorithmText + ": use rsa (2048 bits) or ed25519";
        }
        Path file = keys.file(domain, selector);
        DkimKeys.Generated generated = DkimKeys.generate(algorithm);
        try {
            DkimKeys.writePrivateKey(file, generated.privateKeyPem());
        } catch (FileAlreadyExistsException e) {
            return "A key already exists at " + file + "; pick another selector (a key in use is never replaced)";
        }
        LOG.info("DKIM: new {} key for {} with selector {} in {}", algorithm.keyType(), domain, selector, file);
        return "Wrote " + file + "; mail from " + domain + " is signed with it from the next message on.\n"
                + "Publish this TXT record now (until it is published, receivers count the signature as none):\n"
                + zoneLine(selector + "._domainkey." + domain + ".", generated.txtRecord());
    }

    /** {@code name IN TXT ( "..." "..." )}, each character-string at most 255 bytes (RFC 1035 §3.3). */
    static String zoneLine(String name, String record) {
        StringBuilder out = new StringBuilder(name).append(" IN TXT (");
        for (int i = 0; i < record.length(); i += 250) {
            out.append(" \"").append(record, i, Math.min(record.length(), i + 250)).append('"');
        }
        return out.append(" )").toString();
    }
}
