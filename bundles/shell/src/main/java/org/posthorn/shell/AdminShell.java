package org.posthorn.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.service.command.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.posthorn.api.queue.QueueAdmin;
import org.posthorn.api.store.MailboxStore;
import org.posthorn.api.tls.TlsMaterial;
import org.posthorn.api.user.UserAdmin;
import org.posthorn.net.ProtocolServer;
import org.posthorn.shell.command.AdminCommand;
import org.posthorn.shell.command.CommandFailure;
import org.posthorn.shell.command.Services;

/**
 * Registers the {@code posthorn:*} commands with Gogo, one {@link Function} service each. Every
 * service the commands use is an optional dynamic reference: the commands stay registered while
 * the store, the queue or the security bundle is stopped, and say so when asked.
 */
@Component(service = {}, immediate = true)
public final class AdminShell implements Services {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile UserAdmin users;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile QueueAdmin queue;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailboxStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TlsMaterial tls;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configurations;

    private final BundleContext context;
    private final List<ServiceRegistration<Function>> registrations = new ArrayList<>();

    @Activate
    public AdminShell(BundleContext context) {
        this.context = context;
        List<AdminCommand> commands = new ArrayList<>(AdminCommand.all(this));
        commands.addAll(new BundleCommands(context).commands());
        for (AdminCommand command : commands) {
            registrations.add(context.registerService(Function.class, command,
                    FrameworkUtil.asDictionary(command.serviceProperties())));
        }
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
    }

    @Override
    public UserAdmin users() throws CommandFailure {
        return present(users, "The user directory", "org.posthorn.store.derby");
    }

    @Override
    public QueueAdmin queue() throws CommandFailure {
        return present(queue, "The mail queue", "org.posthorn.queue");
    }

    @Override
    public MailboxStore store() throws CommandFailure {
        return present(store, "The mailbox store", "org.posthorn.store.derby");
    }

    @Override
    public TlsMaterial tls() throws CommandFailure {
        return present(tls, "The TLS material", "org.posthorn.security");
    }

    private static <T> T present(T service, String what, String bundle) throws CommandFailure {
        if (service == null) {
            throw Services.unavailable(what, bundle);
        }
        return service;
    }

    @Override
    public Optional<Map<String, Object>> configuration(String pid) throws CommandFailure {
        Dictionary<String, Object> properties = configurationOf(pid).getProperties();
        if (properties == null) {
            return Optional.empty();
        }
        Map<String, Object> map = new HashMap<>();
        Collections.list(properties.keys()).forEach(key -> map.put(key, properties.get(key)));
        return Optional.of(map);
    }

    @Override
    public void reapply(String pid) throws CommandFailure {
        Configuration configuration = configurationOf(pid);
        if (configuration.getProperties() == null) {
            return;
        }
        try {
            configuration.update(configuration.getProperties());
        } catch (IOException e) {
            throw new CommandFailure("could not apply the configuration " + pid + ": " + e.getMessage());
        }
    }

    private Configuration configurationOf(String pid) throws CommandFailure {
        ConfigurationAdmin admin = present(configurations, "Configuration Admin", "org.apache.felix.configadmin");
        try {
            // "?": look at the configuration without binding it to this bundle
            return admin.getConfiguration(pid, "?");
        } catch (IOException e) {
            throw new CommandFailure("could not read the configuration " + pid + ": " + e.getMessage());
        }
    }

    @Override
    public List<ProtocolServer> servers() {
        return ProtocolServer.running();
    }

    @Override
    public List<BundleState> bundles() {
        return Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.posthorn."))
                .map(b -> new BundleState(b.getSymbolicName(), b.getVersion().toString(), state(b)))
                .sorted(java.util.Comparator.comparing(BundleState::name))
                .toList();
    }

    private static String state(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved (stopped)";
            case Bundle.INSTALLED -> "installed (not resolved)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }

    @Override
    public Path dataFolder() {
        return dataFolder(context);
    }

    static Path dataFolder(BundleContext context) {
        String configured = context.getProperty("posthorn.data");
        return Path.of(configured == null || configured.isBlank() ? "data" : configured);
    }
}
