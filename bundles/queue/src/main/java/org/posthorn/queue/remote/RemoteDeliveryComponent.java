package org.posthorn.queue.remote;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.posthorn.api.dns.DnsResolver;
import org.posthorn.api.mail.Envelope;
import org.posthorn.api.mail.MessageSource;
import org.posthorn.api.mail.Recipient;

/**
 * Offers SMTP remote delivery to the dispatcher (a bundle-internal service), configured under
 * its own PID {@value RemoteDeliveryConfig#PID} so its keys never clash with the queue's. A
 * changed configuration replaces the delivery object; deactivation closes pooled connections.
 * DNS questions go to the shared {@link DnsResolver} service ({@code org.posthorn.dns}).
 * Certificates are checked against the JVM's trust store where a policy demands a valid chain.
 */
@Component(service = RemoteDelivery.class, configurationPid = RemoteDeliveryConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = RemoteDeliveryConfig.Options.class)
public final class RemoteDeliveryComponent implements RemoteDelivery {

    private final SmtpRemoteDelivery delivery;

    @Activate
    public RemoteDeliveryComponent(RemoteDeliveryConfig.Options options, @Reference DnsResolver dns) {
        this.delivery = new SmtpRemoteDelivery(RemoteDeliveryConfig.from(options), dns, null);
    }

    @Override
    public List<RecipientOutcome> deliver(String domain, Envelope envelope, List<Recipient> recipients,
                                          MessageSource message) {
        return delivery.deliver(domain, envelope, recipients, message);
    }

    @Deactivate
    void close() {
        delivery.close();
    }
}
