package org.posthorn.itests;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/** What a Pax Exam test looks up inside the running framework: services, waited for, and bundles. */
final class RunningFramework {

    static final long WAIT_SECONDS = 30;

    private RunningFramework() {
    }

    /**
     * The service of {@code type} that matches {@code filter} (or any, if null), waiting up to
     * {@link #WAIT_SECONDS} for it to be registered; fails if it is not.
     */
    static <T> T service(BundleContext context, Class<T> type, String filter)
            throws InterruptedException, InvalidSyntaxException {
        String objectClass = "(objectClass=" + type.getName() + ")";
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context,
                context.createFilter(filter == null ? objectClass : "(&" + objectClass + filter + ")"), null);
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            if (service == null) {
                throw new AssertionError(type.getSimpleName() + " service " + (filter == null ? "" : filter + " ")
                        + "not registered within " + WAIT_SECONDS + " s");
            }
            return service;
        } finally {
            tracker.close();
        }
    }

    /** The installed bundle named {@code symbolicName}; fails if there is none. */
    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }
}
