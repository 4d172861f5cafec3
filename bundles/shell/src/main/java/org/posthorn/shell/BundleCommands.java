package org.posthorn.shell;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.posthorn.shell.command.AdminCommand;
import org.posthorn.shell.command.CommandFailure;
import org.posthorn.shell.command.Invocation;

/**
 * Stopping, starting and replacing a bundle by its name, for hot-swapping a protocol or
 * upgrading a part while the rest keeps serving (Gogo's own {@code start} takes only ids or URLs).
 */
final class BundleCommands {

    private static final long REFRESH_SECONDS = 60;

    private final BundleContext context;

    BundleCommands(BundleContext context) {
        this.context = context;
    }

    List<AdminCommand> commands() {
        return List.of(
                new AdminCommand("bundle-stop", "NAME",
                        "Stops a bundle, e.g. org.posthorn.imap: its listeners close, the rest keeps serving.",
                        List.of(), 1, 1, call -> {
                            bundle(call.argument(0)).stop();
                            call.out().println(call.argument(0) + " stopped");
                        }),
                new AdminCommand("bundle-start", "NAME", "Starts a stopped bundle again.", List.of(), 1, 1, call -> {
                    bundle(call.argument(0)).start();
                    call.out().println(call.argument(0) + " started");
                }),
                new AdminCommand("bundle-update", "NAME [JAR]",
                        "Replaces a bundle with JAR (or with its jar file again, after you copied a new one over"
                                + " it in system/) and rewires the bundles that use it. Mail already accepted is"
                                + " kept.",
                        List.of(), 1, 2, this::update));
    }

    private void update(Invocation call) throws Exception {
        Bundle bundle = bundle(call.argument(0));
        String before = bundle.getVersion().toString();
        if (call.optionalArgument(1).isPresent()) {
            Path jar = call.file(call.argument(1));
            try (InputStream in = Files.newInputStream(jar)) {
                bundle.update(in);
            } catch (NoSuchFileException e) {
                throw new CommandFailure(jar + " does not exist");
            }
        } else {
            bundle.update();
        }
        refresh(bundle);
        call.out().println(call.argument(0) + " updated: " + before + " -> " + bundle.getVersion());
    }

    /** Rewires the bundle and its dependents to the new classes, and waits until that is done. */
    private void refresh(Bundle bundle) throws InterruptedException, CommandFailure {
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        if (!refreshed.await(REFRESH_SECONDS, TimeUnit.SECONDS)) {
            throw new CommandFailure("the refresh after the update did not end within " + REFRESH_SECONDS + " s");
        }
    }

    private Bundle bundle(String name) throws CommandFailure {
        for (Bundle bundle : context.getBundles()) {
            if (name.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new CommandFailure("no bundle " + name + " (lb -s lists them)");
    }
}
